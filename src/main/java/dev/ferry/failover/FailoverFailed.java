package dev.ferry.failover;

/** A planned failover began but could not finish; the message says what was rolled back. */
public final class FailoverFailed extends Exception {
    public FailoverFailed(String message) {
        super(message, null, false, false);
    }
}
