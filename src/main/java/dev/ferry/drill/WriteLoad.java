package dev.ferry.drill;

import dev.ferry.config.Credentials;
import dev.ferry.config.HostPort;
import dev.ferry.resp.Connector;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.RedisLink;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A client that writes a new unique key ({@code SET <prefix>:N N}) every interval through an endpoint and
 * records what it lived through: each acknowledged write with when it was sent and acknowledged, failures
 * by kind, the longest run of failures. Afterwards {@link #lostWrites} reads every acknowledged key back:
 * an acknowledged write that is gone was lost, and its instants tell writes lost before a switch of master
 * from writes lost after it. Like the anchor's writer.py, in Java: the drill's writer, which the tests use too.
 */
public final class WriteLoad implements AutoCloseable {
    /** One acknowledged write: key {@code <prefix>:n}, sent and acknowledged at these wall-clock instants. */
    public record Write(long n, Instant sent, Instant acked) {}

    /** The longest run of failed writes: from the first failure to the next acknowledged write (or the end). */
    public record Outage(Instant from, Duration length) {}

    private final HostPort target;
    private final Connector connector;
    private final Duration interval;
    private final boolean persistent;
    private final String prefix;
    private final Duration timeout;
    private final Thread thread;
    private final List<Write> acked = new ArrayList<>();
    private final Map<String, Integer> failures = new TreeMap<>();
    private volatile boolean running = true;
    private long next;
    private Instant failStart;
    private long failStartNanos = -1;
    private Outage longest = new Outage(null, Duration.ZERO);
    private int connections;

    private WriteLoad(HostPort target, Connector connector, Duration interval, boolean persistent, String prefix, Duration timeout) {
        this.target = target;
        this.connector = connector;
        this.interval = interval;
        this.persistent = persistent;
        this.prefix = prefix;
        this.timeout = timeout;
        this.thread = new Thread(this::run, "write-load-" + prefix);
        this.thread.setDaemon(true);
    }

    /** Starts writing on a thread of its own. {@code persistent}: one connection, reopened when it breaks. */
    public static WriteLoad start(HostPort target, Credentials auth, Duration interval, boolean persistent, String prefix) {
        return start(target, auth, interval, persistent, prefix, Duration.ofSeconds(1));
    }

    /** As above, waiting {@code timeout} for each reply (1 s, like writer.py, unless said otherwise). */
    public static WriteLoad start(HostPort target, Credentials auth, Duration interval, boolean persistent, String prefix,
                                  Duration timeout) {
        return start(target, Connector.plaintext(auth, timeout), interval, persistent, prefix);
    }

    /** As above, connecting as {@code connector} says (TLS, AUTH, the reply timeout). */
    public static WriteLoad start(HostPort target, Connector connector, Duration interval, boolean persistent, String prefix) {
        WriteLoad w = new WriteLoad(target, connector, interval, persistent, prefix, connector.timeout());
        w.thread.start();
        return w;
    }

    private void run() {
        RedisLink link = null;
        while (running) {
            long t0 = System.nanoTime();
            Instant sent = Instant.now();
            String kind;
            long n = ++next;
            try {
                if (link == null) {
                    link = connector.open(target, null);
                    synchronized (this) {
                        connections++;
                    }
                }
                sent = Instant.now();
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
            Instant done = Instant.now();
            if (kind != null || !persistent) {
                if (link != null) link.close();
                link = null;
            }
            record(n, kind, sent, done, t0);
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

    private synchronized void record(long n, String kind, Instant sent, Instant done, long t0) {
        if (kind == null) {
            acked.add(new Write(n, sent, done));
            endOutage(t0);
        } else {
            failures.merge(kind, 1, Integer::sum);
            if (failStartNanos < 0) {
                failStartNanos = t0;
                failStart = sent;
            }
        }
    }

    private void endOutage(long nowNanos) {
        if (failStartNanos < 0) return;
        Duration length = Duration.ofNanos(nowNanos - failStartNanos);
        if (length.compareTo(longest.length()) > 0) longest = new Outage(failStart, length);
        failStartNanos = -1;
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
            endOutage(System.nanoTime());
        }
    }

    public String prefix() {
        return prefix;
    }

    public synchronized List<Write> acked() {
        return List.copyOf(acked);
    }

    public synchronized Map<String, Integer> failures() {
        return Map.copyOf(failures);
    }

    public synchronized int failed() {
        return failures.values().stream().mapToInt(Integer::intValue).sum();
    }

    public synchronized Outage longestOutage() {
        return longest;
    }

    public Duration longestFailure() {
        return longestOutage().length();
    }

    /** The acknowledged writes whose key no longer reads back from {@code from} (MGET in batches). */
    public List<Write> lostWrites(HostPort from) throws Exception {
        List<Write> writes = acked();
        List<Write> lost = new ArrayList<>();
        try (RedisLink l = connector.withTimeout(Duration.ofSeconds(5)).open(from, null)) {
            for (int i = 0; i < writes.size(); i += 500) {
                List<Write> batch = writes.subList(i, Math.min(writes.size(), i + 500));
                String[] args = new String[batch.size() + 1];
                args[0] = "MGET";
                for (int j = 0; j < batch.size(); j++) args[j + 1] = prefix + ":" + batch.get(j).n();
                Object r = l.call(args);
                if (!(r instanceof List<?> values)) throw new IOException("MGET answered " + r);
                for (int j = 0; j < values.size(); j++) if (values.get(j) == null) lost.add(batch.get(j));
            }
        }
        return lost;
    }

    public int countLost(HostPort from) throws Exception {
        return lostWrites(from).size();
    }

    /**
     * Milliseconds from {@code t} to the first write any of the loads had acknowledged after it ("n/a"
     * when {@code t} is null or none was): how soon clients wrote again after, say, a promotion.
     */
    public static String firstAckAfter(Instant t, WriteLoad... loads) {
        if (t == null) return "n/a";
        return java.util.Arrays.stream(loads).flatMap(l -> l.acked().stream()).map(Write::acked).filter(a -> a.isAfter(t))
                .min(java.util.Comparator.naturalOrder()).map(a -> String.valueOf(java.time.Duration.between(t, a).toMillis()))
                .orElse("n/a");
    }

    /** Connections opened so far (a persistent writer reopens only after a failure). */
    public synchronized int connections() {
        return connections;
    }

    /** The slowest acknowledged write, from sending to its reply. */
    public synchronized Duration slowest() {
        return acked.stream().map(w -> Duration.between(w.sent(), w.acked())).max(Duration::compareTo).orElse(Duration.ZERO);
    }

    @Override
    public synchronized String toString() {
        return prefix + ": acked=" + acked.size() + " failed=" + failures + " longest_failure_ms=" + longest.length().toMillis();
    }
}
