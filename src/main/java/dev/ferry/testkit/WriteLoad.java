package dev.ferry.testkit;

import dev.ferry.config.Credentials;
import dev.ferry.config.HostPort;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.RedisLink;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A client that writes a new unique key ({@code SET ferry:w:N N}) every interval through an endpoint and
 * records what it lived through: acknowledged writes, failures by kind, the longest run of failures.
 * Afterwards {@link #countLost} reads every acknowledged key back: an acknowledged write that is gone
 * was lost. Like the anchor's writer.py, in Java, for tests, the demo and the drill.
 */
public final class WriteLoad implements AutoCloseable {
    private final HostPort target;
    private final Credentials auth;
    private final Duration interval;
    private final boolean persistent;
    private final String prefix;
    private final Thread thread;
    private final List<Long> acked = new ArrayList<>();
    private final Map<String, Integer> failures = new TreeMap<>();
    private volatile boolean running = true;
    private long next;
    private long failStartNanos = -1;
    private long longestFailureNanos;

    private WriteLoad(HostPort target, Credentials auth, Duration interval, boolean persistent, String prefix) {
        this.target = target;
        this.auth = auth;
        this.interval = interval;
        this.persistent = persistent;
        this.prefix = prefix;
        this.thread = new Thread(this::run, "write-load-" + prefix);
        this.thread.setDaemon(true);
    }

    /** Starts writing on a thread of its own. {@code persistent}: one connection, reopened when it breaks. */
    public static WriteLoad start(HostPort target, Credentials auth, Duration interval, boolean persistent, String prefix) {
        WriteLoad w = new WriteLoad(target, auth, interval, persistent, prefix);
        w.thread.start();
        return w;
    }

    private void run() {
        RedisLink link = null;
        while (running) {
            long t0 = System.nanoTime();
            String kind;
            long n = ++next;
            try {
                if (link == null) link = RedisLink.open(target, auth, Duration.ofSeconds(1), null);
                Object r = link.call("SET", prefix + ":" + n, Long.toString(n));
                if ("OK".equals(r)) {
                    kind = null;
                } else {
                    kind = r instanceof ErrorReply e ? "err:" + e.code() : "unexpected:" + r;
                }
            } catch (SocketTimeoutException e) {
                kind = "timeout";
            } catch (IOException e) {
                kind = "conn:" + e.getClass().getSimpleName();
            } catch (Exception e) {
                kind = "auth:" + e.getMessage();
            }
            if (kind != null || !persistent) {
                if (link != null) link.close();
                link = null;
            }
            record(n, kind, t0);
            long sleep = interval.toNanos() - (System.nanoTime() - t0);
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                } catch (InterruptedException e) {
                    break;
                }
            }
        }
        if (link != null) link.close();
    }

    private synchronized void record(long n, String kind, long t0) {
        if (kind == null) {
            acked.add(n);
            if (failStartNanos >= 0) longestFailureNanos = Math.max(longestFailureNanos, t0 - failStartNanos);
            failStartNanos = -1;
        } else {
            failures.merge(kind, 1, Integer::sum);
            if (failStartNanos < 0) failStartNanos = t0;
        }
    }

    /** Stops writing and waits for the writer thread. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (failStartNanos >= 0) longestFailureNanos = Math.max(longestFailureNanos, System.nanoTime() - failStartNanos);
            failStartNanos = -1;
        }
    }

    public synchronized List<Long> acked() {
        return List.copyOf(acked);
    }

    public synchronized Map<String, Integer> failures() {
        return Map.copyOf(failures);
    }

    public synchronized int failed() {
        return failures.values().stream().mapToInt(Integer::intValue).sum();
    }

    public synchronized Duration longestFailure() {
        return Duration.ofNanos(longestFailureNanos);
    }

    /** How many acknowledged keys no longer read back from {@code from} (MGET in batches). */
    public int countLost(HostPort from) throws Exception {
        List<Long> keys = acked();
        int lost = 0;
        try (RedisLink l = RedisLink.open(from, auth, Duration.ofSeconds(5), null)) {
            for (int i = 0; i < keys.size(); i += 500) {
                List<Long> batch = keys.subList(i, Math.min(keys.size(), i + 500));
                String[] args = new String[batch.size() + 1];
                args[0] = "MGET";
                for (int j = 0; j < batch.size(); j++) args[j + 1] = prefix + ":" + batch.get(j);
                Object r = l.call(args);
                if (!(r instanceof List<?> values)) throw new IOException("MGET answered " + r);
                for (Object v : values) if (v == null) lost++;
            }
        }
        return lost;
    }

    @Override
    public synchronized String toString() {
        return prefix + ": acked=" + acked.size() + " failed=" + failures + " longest_failure_ms=" + longestFailureNanos / 1_000_000;
    }
}
