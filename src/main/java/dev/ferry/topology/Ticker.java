package dev.ferry.topology;

import java.time.Instant;

/**
 * The topology's time: a monotonic count for intervals and deadlines, the wall clock for records an
 * operator reads. Injected so the hold, the fencing rate limit and the history are tested without waiting.
 */
interface Ticker {
    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant now() {
            return Instant.now();
        }
    };

    long nanoTime();

    Instant now();
}
