package dev.ferry.topology;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * The hold on the master's client traffic while Sentinel promotes a replica: it remembers the config
 * epoch it began at (a newer epoch ends it), is bounded in time, and starts at most once per epoch so a
 * failover that never completes cannot hold traffic again and again. Used from the topology's thread only.
 */
final class FailoverHold {
    private static final long NONE = Long.MIN_VALUE;
    private long sinceEpoch = NONE;
    private long usedForEpoch = NONE;
    private long deadlineNanos;

    /** Starts a hold at {@code epoch} for at most {@code max}; false when one was already used at this epoch. */
    boolean start(long epoch, Duration max) {
        if (usedForEpoch == epoch) return false;
        sinceEpoch = epoch;
        usedForEpoch = epoch;
        deadlineNanos = System.nanoTime() + max.toNanos();
        return true;
    }

    /** A planned failover asks for a hold even if one was used at this epoch already. */
    void allowAgain() {
        usedForEpoch = NONE;
    }

    boolean held() {
        return sinceEpoch != NONE;
    }

    /** True when a hold was on and its time ran out (it is then over). */
    boolean expire() {
        if (sinceEpoch == NONE || System.nanoTime() - deadlineNanos <= 0) return false;
        sinceEpoch = NONE;
        return true;
    }

    /** The epoch the hold began at, while it is on. */
    OptionalLong sinceEpoch() {
        return sinceEpoch == NONE ? OptionalLong.empty() : OptionalLong.of(sinceEpoch);
    }

    void end() {
        sinceEpoch = NONE;
    }
}
