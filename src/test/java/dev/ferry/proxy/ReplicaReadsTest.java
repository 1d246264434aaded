package dev.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.config.HostPort;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.testkit.FerryHarness;
import dev.ferry.testkit.RespClient;
import dev.ferry.testkit.RespClient.Reply;
import dev.ferry.testkit.TestConfig;
import dev.ferry.topology.ReplicaState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A replica endpoint (issue 17) in front of a real group of one master, two replicas and three Sentinels:
 * reads spread over the replicas, a write gets Redis's own -READONLY, a replica whose link is cut stops
 * getting reads within a check interval and its sessions move, and FAILOVER TO a replica moves that
 * endpoint's sessions off it; readers see no error and no value older than the bound allows.
 */
@Tag("integration")
class ReplicaReadsTest {
    private static final String PASSWORD = "replica-reads-pw";
    private static final Duration SETTLE = Duration.ofSeconds(20);
    /** max-lag (1 s) plus one check interval (500 ms) plus room for a loaded machine. */
    private static final long STALENESS_BOUND_MS = 2000;

    static RedisGroup group() {
        return RedisGroup.builder().password(PASSWORD).failoverTimeoutMillis(10000).start();
    }

    static FerryHarness replicaEndpoint(RedisGroup g, String... extra) throws Exception {
        List<String> settings = new ArrayList<>(List.of("role: replica", "max-lag: 1s"));
        settings.addAll(List.of(extra));
        FerryHarness f = FerryHarness.front(g, settings.toArray(String[]::new));
        try {
            await().atMost(SETTLE).until(() -> f.snapshot().replicas().in().size() == 2);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    static TestConfig withAdmin(RedisGroup g) {
        TestConfig c = TestConfig.following(g).withAdmin();
        c.frontend().set("role", "replica");
        return c;
    }

    static RespClient session(FerryHarness f, String name) throws IOException {
        RespClient c = RespClient.open(f.address(), name);
        assertThat(c.call("AUTH", PASSWORD)).isEqualTo(RespClient.OK);
        return c;
    }

    static int portOf(RespClient c) throws IOException {
        Reply r = c.call("CONFIG", "GET", "port");
        assertThat(r.isError()).as("CONFIG GET port: " + r).isFalse();
        return Integer.parseInt(r.items().get(1).text());
    }

    @ParameterizedTest(name = "connections: {0}")
    @ValueSource(strings = {"shared", "dedicated"})
    void readsSpreadOverBothReplicasAndAWriteGetsRedissOwnReadonly(String connections) throws Exception {
        try (RedisGroup g = group(); FerryHarness f = replicaEndpoint(g, "connections: " + connections)) {
            HostPort master = f.routedMaster();
            List<RespClient> sessions = new ArrayList<>();
            Map<Integer, Integer> perPort = new HashMap<>();
            try {
                for (int i = 0; i < 6; i++) {
                    RespClient c = session(f, "reader-" + i);
                    sessions.add(c);
                    perPort.merge(portOf(c), 1, Integer::sum);
                }
                assertThat(perPort).as("sessions per node port").doesNotContainKey(master.port()).hasSize(2).containsValues(3, 3);

                Reply w = sessions.get(0).call("SET", "k", "v");
                assertThat(w.isError()).isTrue();
                assertThat(w.text()).as("Redis's own refusal, passed straight on").startsWith("READONLY You can't write against a read only replica");
                assertThat(f.frontend().router().stats().sessionsNow.sum()).isEqualTo(6);
                assertThat(f.frontend().router().allNodeStats().values().stream().mapToLong(s -> s.commandsResent.sum()).sum())
                        .as("nothing sent again elsewhere").isZero();
            } finally {
                for (RespClient c : sessions) c.close();
            }
        }
    }

    @Test
    void sessionsArrivingTogetherBeforeAnyConnectionIsOpenAreSpreadToo() throws Exception {
        // No password: the first command is a plain one, which waits for the shared connection to open.
        try (RedisGroup g = RedisGroup.start(); FerryHarness f = replicaEndpoint(g)) {
            List<RespClient> sessions = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) sessions.add(RespClient.open(f.address(), "burst-" + i));
                for (RespClient c : sessions) c.send(List.of(List.of("CONFIG", "GET", "port")));
                Map<Integer, Integer> perPort = new HashMap<>();
                for (RespClient c : sessions) perPort.merge(Integer.parseInt(c.read(Duration.ofSeconds(10)).items().get(1).text()), 1, Integer::sum);
                System.out.println("a burst of 8 sessions, per node port: " + perPort);
                assertThat(perPort).hasSize(2);
                assertThat(perPort.values()).allMatch(n -> n >= 3);
            } finally {
                for (RespClient c : sessions) c.close();
            }
        }
    }

    @Test
    void aReplicaWhoseLinkIsCutStopsGettingReadsWithinACheckAndItsSessionsMoveWithTheirState() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = replicaEndpoint(g)) {
            HostPort master = f.routedMaster();
            try (RespClient direct = RespClient.open(master, "setup")) {
                direct.call("AUTH", PASSWORD);
                direct.call("SELECT", "5");
                assertThat(direct.call("SET", "in-db-5", "five")).isEqualTo(RespClient.OK);
            }
            List<RespClient> sessions = new ArrayList<>();
            try {
                // Fewest sessions first: the two with a database and a name land on different replicas, so do the subscribers.
                for (int i = 0; i < 2; i++) {
                    RespClient c = session(f, "stateful-" + i);
                    sessions.add(c);
                    assertThat(c.call("SELECT", "5")).isEqualTo(RespClient.OK);
                    assertThat(c.call("CLIENT", "SETNAME", "stateful-" + i)).isEqualTo(RespClient.OK);
                }
                for (int i = 0; i < 2; i++) {
                    RespClient c = session(f, "subscriber-" + i);
                    sessions.add(c);
                    assertThat(c.call("SUBSCRIBE", "news").items().get(0).text()).isEqualTo("subscribe");
                }
                int[] ports = {portOf(sessions.get(0)), portOf(sessions.get(1))};
                assertThat(ports[0]).as("the stateful sessions are on different replicas").isNotEqualTo(ports[1]);
                HostPort cut = HostPort.parse("127.0.0.1:" + ports[0]);
                try (Readers readers = new Readers(f, 4, master)) {
                    await().atMost(SETTLE).until(() -> readers.reads.get() > 100);

                    long t0 = System.nanoTime();
                    cutLink(g, cut);
                    await().atMost(SETTLE).pollInterval(Duration.ofMillis(20)).until(() -> !f.snapshot().replicas().in().contains(cut));
                    long outAfterMs = (System.nanoTime() - t0) / 1_000_000;
                    ReplicaState st = f.snapshot().replicas().nodes().stream().filter(x -> x.node().equals(cut)).findFirst().orElseThrow();
                    System.out.println("replica " + cut + " out after " + outAfterMs + " ms: " + st.why());
                    assertThat(st.why()).startsWith("its link to the master is down");
                    assertThat(outAfterMs).as("out within one check interval (500 ms) and a check's time").isLessThan(1500);

                    await().atMost(SETTLE).until(() -> f.frontend().router().sessionsOn(cut) == 0);
                    Thread.sleep(1000);
                    readers.stop();
                    assertThat(readers.errors).as("readers' errors").isEmpty();
                    assertThat(readers.worstStalenessMs.get()).as("the oldest value a reader saw, in ms behind the writer")
                            .isLessThan(STALENESS_BOUND_MS);
                    System.out.println("reads " + readers.reads.get() + ", worst staleness " + readers.worstStalenessMs.get() + " ms");
                }
                RespClient moved = sessions.get(0);
                assertThat(portOf(moved)).as("moved off the cut replica").isNotEqualTo(cut.port());
                assertThat(moved.call("CLIENT", "GETNAME").text()).isEqualTo("stateful-0");
                assertThat(moved.call("GET", "in-db-5").text()).as("still in database 5").isEqualTo("five");
                g.node(master).call("PUBLISH", "news", "after-the-cut");
                for (RespClient sub : sessions.subList(2, 4)) {
                    List<Reply> m = sub.read(Duration.ofSeconds(5)).items();
                    assertThat(m.get(2).text()).as("subscribed again on the replica it moved to").isEqualTo("after-the-cut");
                }

                restoreLink(g, cut);
                await().atMost(SETTLE).until(() -> f.snapshot().replicas().in().contains(cut));
            } finally {
                for (RespClient c : sessions) c.close();
            }
        }
    }

    @Test
    void aStalledReplicaStopsGettingReadsWithinACheckAndReadsInFlightOnItRunAgainElsewhere() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = replicaEndpoint(g); Readers readers = new Readers(f, 4, f.routedMaster())) {
            await().atMost(SETTLE).until(() -> readers.reads.get() > 100);
            HostPort stalled = f.snapshot().replicas().in().get(0);
            assertThat(f.frontend().router().sessionsOn(stalled)).as("precondition: sessions read from it").isPositive();
            readers.slowestMs.set(0);

            long t0 = System.nanoTime();
            // SIGSTOP for 4 s: as DEBUG SLEEP (disabled on the group's nodes) or a long pause would stall it.
            g.node(stalled).pause();
            Thread sleeper = new Thread(() -> {
                try {
                    Thread.sleep(4000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    g.node(stalled).resume();
                }
            });
            sleeper.start();
            await().atMost(SETTLE).pollInterval(Duration.ofMillis(20)).until(() -> !f.snapshot().replicas().in().contains(stalled));
            long outAfterMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("stalled replica out after " + outAfterMs + " ms: "
                    + f.snapshot().replicas().nodes().stream().filter(x -> x.node().equals(stalled)).findFirst().orElseThrow().why());
            assertThat(outAfterMs).as("out within a check interval (500 ms) and a check timeout (300 ms)").isLessThan(2000);
            await().atMost(SETTLE).until(() -> f.frontend().router().sessionsOn(stalled) == 0);
            long before = readers.reads.get();
            await().atMost(SETTLE).until(() -> readers.reads.get() > before + 200);
            readers.stop();
            sleeper.join(10_000);
            System.out.println("slowest read " + readers.slowestMs.get() + " ms, worst staleness " + readers.worstStalenessMs.get() + " ms");
            assertThat(readers.errors).as("readers' errors").isEmpty();
            assertThat(readers.slowestMs.get()).as("a read caught on the stalled replica ran again elsewhere, not after its 4 s stop")
                    .isLessThan(2500);
            assertThat(readers.worstStalenessMs.get()).isLessThan(STALENESS_BOUND_MS);
        }
    }

    @Test
    void aReplicaThatFallsBehindWithItsLinkUpIsOutOnceMaxLagPassesAndReadersNeverSeeOlderValues() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = replicaEndpoint(g); Readers readers = new Readers(f, 4, f.routedMaster())) {
            await().atMost(SETTLE).until(() -> readers.reads.get() > 100);
            HostPort behind = f.snapshot().replicas().in().get(0);
            // Redis pauses a replica's replication stream under CLIENT PAUSE WRITE: it answers and its link stays up.
            long t0 = System.nanoTime();
            g.node(behind).call("CLIENT", "PAUSE", "4000", "WRITE");
            await().atMost(SETTLE).pollInterval(Duration.ofMillis(20)).until(() -> !f.snapshot().replicas().in().contains(behind));
            long outAfterMs = (System.nanoTime() - t0) / 1_000_000;
            ReplicaState st = f.snapshot().replicas().nodes().stream().filter(x -> x.node().equals(behind)).findFirst().orElseThrow();
            System.out.println("lagging replica out after " + outAfterMs + " ms: " + st.why());
            assertThat(st.why()).startsWith("behind by");
            assertThat(outAfterMs).as("max-lag (1 s) and a check interval (500 ms), with room").isLessThan(2500);
            await().atMost(SETTLE).until(() -> f.frontend().router().sessionsOn(behind) == 0);
            long before = readers.reads.get();
            await().atMost(SETTLE).until(() -> readers.reads.get() > before + 200);
            readers.stop();
            System.out.println("slowest read " + readers.slowestMs.get() + " ms, worst staleness " + readers.worstStalenessMs.get() + " ms");
            assertThat(readers.errors).as("readers' errors").isEmpty();
            assertThat(readers.worstStalenessMs.get()).as("never older than max-lag + a check interval, with room")
                    .isLessThan(STALENESS_BOUND_MS);
            await().atMost(SETTLE).until(() -> f.snapshot().replicas().in().contains(behind));
        }
    }

    @Test
    void withNoReplicaQualifyingSessionsReadFromTheMasterAndMoveBackWhenOneDoes() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = replicaEndpoint(g); RespClient c = session(f, "reader")) {
            HostPort master = f.routedMaster();
            portOf(c);
            List<HostPort> replicas = f.snapshot().replicas().in();
            for (HostPort r : replicas) cutLink(g, r);
            await().atMost(SETTLE).until(() -> f.snapshot().replicas().in().isEmpty());
            assertThat(f.snapshot().replicas().fallingBack()).isTrue();
            await().atMost(SETTLE).until(() -> portOf(c) == master.port());

            restoreLink(g, replicas.get(1));
            await().atMost(SETTLE).until(() -> f.snapshot().replicas().in().equals(List.of(replicas.get(1))));
            await().atMost(SETTLE).until(() -> portOf(c) == replicas.get(1).port());
            assertThat(f.frontend().router().sessionsOn(master)).as("the session left the master").isZero();
        }
    }

    @Test
    void withReplicaFallbackRefuseCommandsWaitAndThenGetMasterdown() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = replicaEndpoint(g, "replica-fallback: refuse", "wait-for-master: 1s");
             RespClient c = session(f, "reader")) {
            portOf(c);
            for (HostPort r : f.snapshot().replicas().in()) cutLink(g, r);
            await().atMost(SETTLE).until(() -> f.snapshot().replicas().in().isEmpty());
            Reply r = c.call("GET", "k");
            assertThat(r.isError()).as("" + r).isTrue();
            assertThat(r.text()).isEqualTo("MASTERDOWN Ferry: no replica of 'orders' qualifies after 1000 ms (replica-fallback: refuse)");
        }
    }

    /** The replica loses its link to the master and cannot get it back (a wrong masterauth). */
    static void cutLink(RedisGroup g, HostPort replica) {
        g.node(replica).call("CONFIG", "SET", "masterauth", "not-the-password");
        g.node(replica).call("CLIENT", "KILL", "TYPE", "master");
    }

    static void restoreLink(RedisGroup g, HostPort replica) {
        g.node(replica).call("CONFIG", "SET", "masterauth", PASSWORD);
    }

    @Test
    void theStatsJsonMetricsAndHealthShowTheReplicasTheirLagSessionsAndWhyOneIsOut() throws Exception {
        try (RedisGroup g = group();
             FerryHarness f = FerryHarness.start(g, withAdmin(g));
             RespClient c = session(f, "reader")) {
            await().atMost(SETTLE).until(() -> f.snapshot().replicas().in().size() == 2);
            HostPort on = HostPort.parse("127.0.0.1:" + portOf(c));
            HostPort other = f.snapshot().replicas().in().stream().filter(n -> !n.equals(on)).findFirst().orElseThrow();
            cutLink(g, other);
            await().atMost(SETTLE).until(() -> !f.snapshot().replicas().in().contains(other));

            String json = f.get("/stats.json").body();
            assertThat(json).contains("\"role\":\"replica\"", "\"fallback\":\"master\"", "\"max_lag_ms\":1000",
                    "{\"address\":\"" + on + "\",\"in\":true,", "\"sessions_now\":1,\"why_out\":null}",
                    "{\"address\":\"" + other + "\",\"in\":false,", "\"why_out\":\"its link to the master is down");
            String metrics = f.get("/metrics").body();
            assertThat(metrics).contains("ferry_replicas_in{frontend=\"orders\"} 1.0",
                    "ferry_replica_in{frontend=\"orders\",node=\"" + on + "\"} 1.0",
                    "ferry_replica_in{frontend=\"orders\",node=\"" + other + "\"} 0.0", "ferry_replica_lag_bytes{");
            assertThat(f.get("/stats").body()).contains("Replica endpoint", "its link to the master is down");
            assertThat(f.get("/health").body()).isEqualTo("ok: orders reads from replicas [" + on + "]\n");
        }
    }

    @Test
    void failoverToAReplicaMovesTheEndpointsSessionsOffItWithNoError() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = replicaEndpoint(g)) {
            HostPort old = f.routedMaster();
            try (Readers readers = new Readers(f, 6, null)) {
                await().atMost(SETTLE).until(() -> readers.reads.get() > 200);
                HostPort target = f.snapshot().replicas().in().get(0);
                assertThat(f.frontend().router().sessionsOn(target)).as("precondition: sessions read from the target").isPositive();

                g.failoverTo(target);
                await().atMost(SETTLE).until(() -> target.equals(f.routedMaster()));
                await().atMost(SETTLE).until(() -> f.frontend().router().sessionsOn(target) == 0);
                await().atMost(SETTLE).until(() -> f.snapshot().replicas().in().contains(old));
                long before = readers.reads.get();
                await().atMost(SETTLE).until(() -> readers.reads.get() > before + 200);
                readers.stop();
                assertThat(readers.errors).as("readers' errors").isEmpty();
                assertThat(f.frontend().router().sessionsOn(target)).as("no session reads from the promoted replica").isZero();
            }
        }
    }

    /**
     * Sessions reading through the endpoint in a loop; with a {@code master}, a writer stores its clock there
     * every 10 ms and each read measures how old the value it got is.
     */
    static final class Readers implements AutoCloseable {
        final AtomicLong reads = new AtomicLong();
        final AtomicLong worstStalenessMs = new AtomicLong();
        final AtomicLong slowestMs = new AtomicLong();
        final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Readers(FerryHarness f, int n, HostPort master) throws IOException {
            if (master != null) {
                RespClient w = RespClient.open(master, "writer");
                assertThat(w.call("AUTH", PASSWORD)).isEqualTo(RespClient.OK);
                w.call("SET", "clock", Long.toString(System.currentTimeMillis()));
                threads.add(daemon(() -> loop(w, () -> {
                    w.call("SET", "clock", Long.toString(System.currentTimeMillis()));
                    Thread.sleep(10);
                })));
            }
            for (int i = 0; i < n; i++) {
                RespClient c = session(f, "reader-" + i);
                threads.add(daemon(() -> loop(c, () -> {
                    long sent = System.nanoTime();
                    Reply r = c.call("GET", "clock");
                    long now = System.currentTimeMillis();
                    slowestMs.accumulateAndGet((System.nanoTime() - sent) / 1_000_000, Math::max);
                    if (r.isError()) errors.add(r.text());
                    else if (r.text() != null) worstStalenessMs.accumulateAndGet(now - Long.parseLong(r.text()), Math::max);
                    reads.incrementAndGet();
                    Thread.sleep(2);
                })));
            }
        }

        private static Thread daemon(Runnable r) {
            Thread t = new Thread(r, "reader");
            t.setDaemon(true);
            t.start();
            return t;
        }

        interface Step {
            void run() throws Exception;
        }

        private void loop(RespClient c, Step step) {
            try (c) {
                while (running.get()) step.run();
            } catch (Exception e) {
                errors.add(e.toString());
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) t.join(15_000);
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
