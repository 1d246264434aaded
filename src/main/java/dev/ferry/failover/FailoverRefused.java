package dev.ferry.failover;

/** A planned failover was refused before anything changed; the message says why, for an operator. */
public final class FailoverRefused extends Exception {
    public FailoverRefused(String message) {
        super(message, null, false, false);
    }
}
