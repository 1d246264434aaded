package dev.ferry.resp;

/** A Redis-level failure (refused AUTH, unexpected reply) with an operator-readable message. */
public final class RedisException extends Exception {
    public RedisException(String message) {
        super(message, null, false, false);
    }
}
