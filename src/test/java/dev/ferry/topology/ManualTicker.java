package dev.ferry.topology;

import java.time.Duration;
import java.time.Instant;

/** A clock that moves only when a test says so. */
final class ManualTicker implements Ticker {
    private long nanos = 1_000_000_000L;
    private Instant now = Instant.parse("2026-11-26T12:00:00Z");

    ManualTicker advance(Duration d) {
        nanos += d.toNanos();
        now = now.plus(d);
        return this;
    }

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public Instant now() {
        return now;
    }
}
