package dev.ferry.drill;

import dev.ferry.config.Credentials;
import dev.ferry.resp.InfoFields;
import dev.ferry.resp.RedisException;
import dev.ferry.resp.RedisLink;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one key through an instance every 20 ms on a new connection, and asks the same connection
 * {@code INFO server} for the {@code run_id} of the node that took it: which node acknowledged what, when.
 */
final class SwitchProbe implements AutoCloseable {
    static final Duration INTERVAL = Duration.ofMillis(20);

    private record Ack(long nanos, String runId) {}

    private final DrillTarget target;
    private final Credentials auth;
    private final String key;
    private final List<Ack> acks = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private long stoppedNanos;

    private SwitchProbe(DrillTarget target, Credentials auth, String key) {
        this.target = target;
        this.auth = auth;
        this.key = key;
        this.thread = new Thread(this::run, "drill-probe-" + target.name());
        this.thread.setDaemon(true);
    }

    static SwitchProbe start(DrillTarget target, Credentials auth, String key) {
        SwitchProbe p = new SwitchProbe(target, auth, key);
        p.thread.start();
        return p;
    }

    private void run() {
        long n = 0;
        while (running) {
            long started = System.nanoTime();
            try (RedisLink l = RedisLink.open(target.address(), auth, DrillGroup.LINK_TIMEOUT, null)) {
                if ("OK".equals(l.call("SET", key, Long.toString(++n)))) {
                    long at = System.nanoTime();
                    String runId = InfoFields.parse(l.call("INFO", "server")).get("run_id");
                    synchronized (this) {
                        acks.add(new Ack(at, runId));
                    }
                }
            } catch (IOException | RedisException | RuntimeException e) {
                // a failed write is what the writers count; the probe only tells who took the ones that succeeded
            }
            long rest = INTERVAL.toNanos() - (System.nanoTime() - started);
            if (rest > 0) sleep(Duration.ofNanos(rest));
        }
    }

    /** Nanos after {@code since} of the first write {@code runId} took after it, or -1. */
    synchronized long firstOn(String runId, long since) {
        for (Ack a : acks) if (a.nanos() >= since && runId.equals(a.runId())) return a.nanos() - since;
        return -1;
    }

    /** Nanos after {@code since} of the last write {@code runId} took after it, or -1. */
    synchronized long lastOn(String runId, long since) {
        long last = -1;
        for (Ack a : acks) if (a.nanos() >= since && runId != null && runId.equals(a.runId())) last = a.nanos() - since;
        return last;
    }

    synchronized int countOnAfter(String runId, long since) {
        return (int) acks.stream().filter(a -> a.nanos() >= since && runId != null && runId.equals(a.runId())).count();
    }

    /** The longest time without an acknowledged probe write, from the first one until the probe stopped. */
    synchronized long longestStall() {
        long longest = 0;
        for (int i = 1; i < acks.size(); i++) longest = Math.max(longest, acks.get(i).nanos() - acks.get(i - 1).nanos());
        if (!acks.isEmpty() && stoppedNanos > 0) longest = Math.max(longest, stoppedNanos - acks.get(acks.size() - 1).nanos());
        return longest;
    }

    @Override
    public void close() {
        if (!running) return;
        running = false;
        synchronized (this) {
            stoppedNanos = System.nanoTime();
        }
        try {
            thread.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
