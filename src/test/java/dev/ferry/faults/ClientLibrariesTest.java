package dev.ferry.faults;

import static dev.ferry.testkit.Waits.SWITCH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.config.Credentials;
import dev.ferry.config.HostPort;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.resp.RedisLink;
import dev.ferry.testkit.FerryHarness;
import dev.ferry.testkit.TestGroup;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * What applications see through Ferry ({@code mode: redis}) with the client libraries they use:
 * Jedis 8 (a connection pool) and Lettuce 7 (one multiplexed RESP3 connection, the library's own
 * reconnect), each writing unique keys every 5 ms with a 2 s timeout. Every acknowledged key is read
 * back from the final master afterwards.
 */
@Tag("integration")
class ClientLibrariesTest {
    static RedisGroup group() {
        return TestGroup.start("pw-libs");
    }

    @Test
    void aPlannedFailoverCostsJedisAndLettuceNoErrorAndNoWrite() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g)) {
            HostPort old = f.awaitRouted();
            HostPort target = f.aReplica();
            List<LibraryWriter> writers = startWriters(f, g);
            Thread.sleep(1000);
            g.failoverTo(target);
            await().atMost(SWITCH).until(() -> target.equals(f.routedMaster()));
            Thread.sleep(1500);
            assertNoErrorAndNothingLost(writers, target, "FAILOVER TO");
        }
    }

    @Test
    void aSentinelFailoverCostsJedisAndLettuceNoErrorAndNoWrite() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g)) {
            HostPort old = f.awaitRouted();
            List<LibraryWriter> writers = startWriters(f, g);
            Thread.sleep(1000);
            g.sentinelFailover();
            HostPort now = f.awaitMovedFrom(old);
            Thread.sleep(1500);
            assertNoErrorAndNothingLost(writers, now, "SENTINEL FAILOVER");
        }
    }

    private static List<LibraryWriter> startWriters(FerryHarness f, RedisGroup g) {
        HostPort a = f.address();
        RedisClient jedis = RedisClient.create("redis://:" + g.password() + "@" + a.host() + ":" + a.port());
        io.lettuce.core.RedisClient lettuceClient = io.lettuce.core.RedisClient.create(
                RedisURI.builder().withHost(a.host()).withPort(a.port()).withPassword(g.password().toCharArray())
                        .withTimeout(Duration.ofSeconds(2)).build());
        StatefulRedisConnection<String, String> lettuce = lettuceClient.connect();
        List<LibraryWriter> writers = new ArrayList<>();
        writers.add(new LibraryWriter("jedis", g.credentials(), (k, v) -> jedis.set(k, v), () -> jedis.close()));
        writers.add(new LibraryWriter("lettuce", g.credentials(), (k, v) -> lettuce.sync().set(k, v), () -> {
            lettuce.close();
            lettuceClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }));
        writers.forEach(LibraryWriter::start);
        return writers;
    }

    private static void assertNoErrorAndNothingLost(List<LibraryWriter> writers, HostPort master, String scenario) throws Exception {
        writers.forEach(LibraryWriter::stop);
        for (LibraryWriter w : writers) {
            int lost = w.countLost(master);
            System.out.printf("%s, %s through Ferry: acked=%d errors=%s slowest_ack_ms=%d lost=%d%n", scenario, w.name,
                    w.acked.size(), w.errors, w.slowestMillis, lost);
            assertThat(w.acked).as(w.name + " wrote at all").hasSizeGreaterThan(100);
            assertThat(w.errors).as(w.name + " errors").isEmpty();
            assertThat(lost).as(w.name + " acknowledged writes missing on the new master").isZero();
        }
    }

    /** Writes {@code <name>:<n>} = n every 5 ms on its own thread, through a library's client. */
    private static final class LibraryWriter {
        final String name;
        final BiFunction<String, String, String> set;
        final Runnable close;
        final List<Long> acked = new ArrayList<>();
        final Map<String, Integer> errors = new TreeMap<>();
        long slowestMillis;
        final Credentials credentials;
        private volatile boolean running = true;
        private Thread thread;

        LibraryWriter(String name, Credentials credentials, BiFunction<String, String, String> set, Runnable close) {
            this.name = name;
            this.credentials = credentials;
            this.set = set;
            this.close = close;
        }

        void start() {
            thread = new Thread(() -> {
                long n = 0;
                while (running) {
                    n++;
                    long t0 = System.nanoTime();
                    try {
                        String r = set.apply(name + ":" + n, Long.toString(n));
                        long ms = (System.nanoTime() - t0) / 1_000_000;
                        synchronized (this) {
                            if ("OK".equals(r)) acked.add(n);
                            else errors.merge("reply " + r, 1, Integer::sum);
                            slowestMillis = Math.max(slowestMillis, ms);
                        }
                    } catch (RuntimeException e) {
                        synchronized (this) {
                            errors.merge(e.getClass().getSimpleName() + ": " + firstWords(e.getMessage()), 1, Integer::sum);
                        }
                    }
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "writer-" + name);
            thread.start();
        }

        void stop() {
            running = false;
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            close.run();
        }

        /** Acknowledged keys that no longer read back from {@code master} (MGET in batches). */
        synchronized int countLost(HostPort master) throws Exception {
            int lost = 0;
            try (RedisLink l = RedisLink.open(master, credentials, Duration.ofSeconds(5), null)) {
                for (int i = 0; i < acked.size(); i += 500) {
                    List<Long> batch = acked.subList(i, Math.min(acked.size(), i + 500));
                    String[] args = new String[batch.size() + 1];
                    args[0] = "MGET";
                    for (int k = 0; k < batch.size(); k++) args[k + 1] = name + ":" + batch.get(k);
                    List<?> values = (List<?>) l.call(args);
                    lost += (int) values.stream().filter(v -> v == null).count();
                }
            }
            return lost;
        }

        private static String firstWords(String message) {
            if (message == null) return "";
            String[] w = message.split("\\s+");
            return String.join(" ", Arrays.copyOf(w, Math.min(4, w.length)));
        }
    }
}
