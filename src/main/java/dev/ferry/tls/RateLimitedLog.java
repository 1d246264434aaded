package dev.ferry.tls;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/** One warning per interval for a kind of bad connection, with how many were not logged since: a port scan must not flood the log. */
final class RateLimitedLog {
    private static final long INTERVAL_NANOS = 10_000_000_000L;
    private final Logger log;
    private final AtomicLong lastNanos = new AtomicLong(System.nanoTime() - INTERVAL_NANOS);
    private final AtomicLong suppressed = new AtomicLong();

    RateLimitedLog(Logger log) {
        this.log = log;
    }

    void warn(String message) {
        long now = System.nanoTime();
        long last = lastNanos.get();
        if (now - last < INTERVAL_NANOS || !lastNanos.compareAndSet(last, now)) {
            suppressed.incrementAndGet();
            return;
        }
        long more = suppressed.getAndSet(0);
        log.warn(more == 0 ? message : message + " (and " + more + " more like it in the last seconds)");
    }
}
