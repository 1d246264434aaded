package dev.ferry.faults;

import static dev.ferry.testkit.Waits.SWITCH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.Ferry;
import dev.ferry.config.HostPort;
import dev.ferry.drill.WriteLoad;
import dev.ferry.drill.WriteLoad.Write;
import dev.ferry.resp.RedisLink;
import dev.ferry.testkit.FerryHarness;
import dev.ferry.testkit.NetnsLab;
import dev.ferry.testkit.PromotionWatch;
import dev.ferry.testkit.TestConfig;
import dev.ferry.topology.SwitchRecord;
import dev.ferry.topology.TopologySnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Ferry in front of a group whose hosts sit in network namespaces, while nftables cuts the master off:
 * from its replicas and Sentinels only, from everyone, and briefly. Writers go through Ferry all along;
 * afterwards every acknowledged key is read back from the final master. Writes the old master acknowledged
 * before Ferry could know of the promotion may be lost (Sentinel's async replication); none acknowledged
 * after Ferry's switch may be. One summary line per scenario goes to stdout.
 */
@Tag("integration")
class PartitionTest {
    static final Duration WRITE_INTERVAL = Duration.ofMillis(10);
    /** Past down-after (2 s), ODOWN and the election: Sentinel promotes a replica. */
    static final Duration LONG_CUT = Duration.ofSeconds(8);
    /**
     * Shorter than down-after (2 s), so no Sentinel sees the master SDOWN. 3 s is not: Sentinels mark it
     * SDOWN 2.2-2.8 s into the cut, ODOWN and the election follow within a second, and the elected leader
     * completes the failover although the master is back by then (seen in this lab).
     */
    static final Duration SHORT_CUT = Duration.ofMillis(1500);
    /** Ferry fences a reachable old master within a check round or two; Sentinel alone takes 8-20 s. */
    static final Duration FENCE = Duration.ofSeconds(5);
    static final int MASTER_HOST = 1;

    @BeforeAll
    static void namespacesWork() {
        assumeTrue(NetnsLab.supported(), () -> "partition tests need network namespaces, veth, bridges and nftables as root: "
                + NetnsLab.unsupportedReason());
    }

    @Test
    void aMasterCutFromItsReplicasAndSentinelsIsReplacedAndFencedAndNoWriteAfterTheSwitchIsLost() throws Exception {
        try (Scenario s = Scenario.start("a", "master cut from replicas and Sentinels, still reachable by Ferry")) {
            HostPort old = s.lab.node(MASTER_HOST).address();
            assertThat(s.awaitRouted()).isEqualTo(old);
            long epochBefore = s.snapshot().verdict().epoch();
            s.startLoad();
            Thread.sleep(1000);

            s.cut(() -> s.lab.isolate(MASTER_HOST, s.lab.otherHosts(MASTER_HOST)));
            await().atMost(SWITCH).pollInterval(Duration.ofMillis(20)).until(() -> movedFrom(s.routed(), old));
            HostPort promoted = s.routed();
            SwitchRecord sw = s.switchFrom(old);
            s.mark("switch", sw.at());
            // Ferry reaches the old master throughout and knows the newer epoch from the switch on.
            await().atMost(FENCE).pollInterval(Duration.ofMillis(50)).until(() -> "slave".equals(s.lab.role(old)));
            s.mark("old master says slave", Instant.now());

            s.sleepUntil(s.cutAt.plus(LONG_CUT));
            s.heal();
            HostPort fin = s.lab.awaitSentinelsAgree(SWITCH);
            s.lab.awaitReplicasInSync(SWITCH);
            Thread.sleep(1000);
            Figures f = s.finish(fin, sw, old);

            assertThat(promoted).isNotEqualTo(old);
            assertFollowedTheMajorityAndLostNothingAfter(s, f, sw, old, promoted, fin, epochBefore);
        }
    }

    @Test
    void aMasterCutFromEveryoneIsReplacedAndWhenItReturnsGetsNoTrafficAndIsDemoted() throws Exception {
        try (Scenario s = Scenario.start("b", "master cut from everyone, Ferry included")) {
            HostPort old = s.lab.node(MASTER_HOST).address();
            assertThat(s.awaitRouted()).isEqualTo(old);
            long epochBefore = s.snapshot().verdict().epoch();
            s.startLoad();
            Thread.sleep(1000);

            s.cut(() -> s.lab.isolateCompletely(MASTER_HOST));
            await().atMost(SWITCH).pollInterval(Duration.ofMillis(20)).until(() -> movedFrom(s.routed(), old));
            HostPort promoted = s.routed();
            SwitchRecord sw = s.switchFrom(old);
            s.mark("switch", sw.at());

            s.sleepUntil(s.cutAt.plus(LONG_CUT));
            s.heal();
            String roleOnReturn = s.firstAnsweredRole(old, Duration.ofSeconds(3));
            s.mark("old master answers again: " + roleOnReturn, Instant.now());
            // Back in reach of Ferry, which knows the newer epoch: fenced at once, well before Sentinel would.
            await().atMost(FENCE).pollInterval(Duration.ofMillis(50)).until(() -> "slave".equals(s.lab.role(old)));
            s.mark("old master says slave", Instant.now());
            HostPort fin = s.lab.awaitSentinelsAgree(SWITCH);
            s.lab.awaitReplicasInSync(SWITCH);
            Thread.sleep(1000);
            Figures f = s.finish(fin, sw, old);

            assertFollowedTheMajorityAndLostNothingAfter(s, f, sw, old, promoted, fin, epochBefore);
        }
    }

    @Test
    void aCutShorterThanSentinelsNeedToFailOverKeepsTheMasterAndLosesNoAcknowledgedWrite() throws Exception {
        try (Scenario s = Scenario.start("c", "master cut from everyone for " + SHORT_CUT.toMillis() + " ms, no failover expected")) {
            HostPort master = s.lab.node(MASTER_HOST).address();
            assertThat(s.awaitRouted()).isEqualTo(master);
            s.startLoad();
            Thread.sleep(1000);

            s.cut(() -> s.lab.isolateCompletely(MASTER_HOST));
            s.sleepUntil(s.cutAt.plus(SHORT_CUT));
            s.heal();
            await().atMost(SWITCH).pollInterval(Duration.ofMillis(50)).until(() -> master.equals(s.routed()));
            s.mark("Ferry routes to " + master + " again", Instant.now());
            Thread.sleep(3000);
            Map<HostPort, Long> epochs = s.lab.sentinelEpochs();
            HostPort fin = s.lab.awaitSentinelsAgree(SWITCH);
            Figures f = s.finish(fin, null, master);

            assertThat(epochs.values()).as("Sentinel config epochs (a failover here would make this test moot)").containsOnly(0L);
            assertThat(fin).isEqualTo(master);
            assertThat(s.switchesAwayFrom(master)).as("switches").isEmpty();
            assertThat(s.sampler.portsSeen()).as("ports reached through Ferry").containsOnly(master.port());
            assertThat(f.lost).as("acknowledged writes lost").isEmpty();
        }
    }

    private static long timelineMillis(String line) {
        try {
            return Long.parseLong(line.substring(0, line.indexOf(" ms")).trim().replace("+", ""));
        } catch (RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }

    /** After a failover: Ferry on the newer epoch and the Sentinels' master, never back on or through to the old one, nothing lost. */
    private static void assertFollowedTheMajorityAndLostNothingAfter(Scenario s, Figures f, SwitchRecord sw, HostPort old,
                                                                     HostPort promoted, HostPort fin, long epochBefore) {
        assertThat(s.snapshot().verdict().epoch()).as("Ferry follows the majority's newer epoch").isGreaterThan(epochBefore);
        assertThat(fin).as("the Sentinels' final master is the one Ferry routes to").isEqualTo(s.routed()).isEqualTo(promoted);
        assertThat(s.switchesBackTo(old)).as("switches back to the old master").isEmpty();
        assertThat(s.sampler.hits(old, sw.at())).as("connections through Ferry after the switch that reached the old master").isEmpty();
        assertThat(f.lostAfterSwitch).as("acknowledged writes lost after Ferry's switch: " + f.lostAfterSwitchDetail).isEmpty();
    }

    private static boolean movedFrom(HostPort routed, HostPort old) {
        return routed != null && !routed.equals(old);
    }

    /** The lab, Ferry in front of it, two writers and a sampler; prints the timeline and figures. */
    static final class Scenario implements AutoCloseable {
        final String name;
        final String title;
        final NetnsLab lab;
        final FerryHarness ferry;
        final Instant startedAt = Instant.now();
        final List<String> timeline = new ArrayList<>();
        WriteLoad fresh;
        WriteLoad kept;
        PortSampler sampler;
        Instant cutAt;
        private PromotionWatch promotionWatch;

        private Scenario(String name, String title, NetnsLab lab, FerryHarness ferry) {
            this.name = name;
            this.title = title;
            this.lab = lab;
            this.ferry = ferry;
        }

        static Scenario start(String name, String title) throws Exception {
            NetnsLab lab = NetnsLab.start();
            try {
                FerryHarness ferry = FerryHarness.start(TestConfig.of(TestConfig.Frontend.named("partition-" + name).following(lab)
                        .checks(TestConfig.CHECK_INTERVAL, TestConfig.CHECK_TIMEOUT)));
                return new Scenario(name, title, lab, ferry);
            } catch (Exception | Error e) {
                lab.close();
                throw e;
            }
        }

        HostPort ferryAddress() {
            return ferry.address();
        }

        TopologySnapshot snapshot() {
            return ferry.snapshot();
        }

        HostPort routed() {
            return snapshot().verdict().master();
        }

        HostPort awaitRouted() {
            return ferry.awaitRouted();
        }

        void startLoad() {
            fresh = WriteLoad.start(ferryAddress(), lab.credentials(), WRITE_INTERVAL, false, "fresh-" + name);
            kept = WriteLoad.start(ferryAddress(), lab.credentials(), WRITE_INTERVAL, true, "kept-" + name);
            sampler = PortSampler.start(ferryAddress(), lab, Duration.ofMillis(100));
        }

        void cut(Runnable partition) {
            cutAt = Instant.now();
            partition.run();
            mark("cut (" + lab.cuts() + ")", cutAt);
            watchForPromotion();
        }

        private void watchForPromotion() {
            promotionWatch = PromotionWatch.start(lab.nodeAddresses().subList(1, lab.nodeAddresses().size()), lab::role);
        }

        void heal() {
            lab.healAll();
            mark("healed", Instant.now());
        }

        void mark(String what, Instant at) {
            timeline.add(String.format("%+7d ms  %s", Duration.between(cutAt == null ? startedAt : cutAt, at).toMillis(), what));
        }

        SwitchRecord switchFrom(HostPort old) {
            return snapshot().switches().stream().filter(r -> old.equals(r.from()))
                    .min(Comparator.comparing(SwitchRecord::at)).orElseThrow(() -> new AssertionError("no switch away from " + old));
        }

        List<SwitchRecord> switchesBackTo(HostPort old) {
            return snapshot().switches().stream().filter(r -> r.from() != null && old.equals(r.to())).toList();
        }

        List<SwitchRecord> switchesAwayFrom(HostPort master) {
            return snapshot().switches().stream().filter(r -> master.equals(r.from())).toList();
        }

        /** Polls ROLE until the node answers; "down" when it never did. */
        String firstAnsweredRole(HostPort node, Duration within) throws InterruptedException {
            long deadline = System.nanoTime() + within.toNanos();
            String role = lab.role(node);
            while ("down".equals(role) && System.nanoTime() < deadline) {
                Thread.sleep(20);
                role = lab.role(node);
            }
            return role;
        }

        void sleepUntil(Instant t) throws InterruptedException {
            long ms = Duration.between(Instant.now(), t).toMillis();
            if (ms > 0) Thread.sleep(ms);
        }

        /** Stops the load, reads every acknowledged key back from {@code fin} and prints the figures. */
        Figures finish(HostPort fin, SwitchRecord sw, HostPort old) throws Exception {
            fresh.close();
            kept.close();
            sampler.close();
            promotionWatch.close();
            Instant promotedAt = promotionWatch.promotedAt();
            if (promotedAt != null) mark("replica " + promotionWatch.promoted() + " first answers ROLE master", promotedAt);
            timeline.sort(Comparator.comparingLong(PartitionTest::timelineMillis));
            Figures f = new Figures();
            for (WriteLoad w : List.of(fresh, kept)) {
                List<Write> lost = w.lostWrites(fin);
                f.acked += w.acked().size();
                f.failed += w.failed();
                f.lost.addAll(lost);
                if (w.longestFailure().compareTo(f.longestFailure) > 0) f.longestFailure = w.longestFailure();
                for (Write x : lost) {
                    if (promotedAt != null && x.acked().isAfter(promotedAt)) f.lostAfterPromotion++;
                    if (sw != null && x.acked().isAfter(sw.at())) {
                        f.lostAfterSwitch.add(x);
                        f.lostAfterSwitchDetail.add(w.prefix() + ":" + x.n() + " sent " + rel(x.sent()) + " acked " + rel(x.acked()));
                    }
                }
                f.perWriter.add(w + " lost=" + lost.size() + lostRange(lost));
            }
            if (sw != null) {
                timeline.add("switch record: " + sw.from() + " -> " + sw.to() + " took " + sw.took().toMillis() + " ms, basis "
                        + sw.basis() + ", epoch " + sw.epoch() + ": " + sw.reason());
            }
            System.out.printf("PARTITION %s (%s): acked=%d failed=%d lost=%d lost_after_promotion=%s lost_after_switch=%s longest_failure_ms=%d "
                            + "promoted_after_cut_ms=%s switch_after_cut_ms=%s first_ack_after_promotion_ms=%s old=%s final=%s "
                            + "routed_to_old_after_switch=%d%n",
                    name, title, f.acked, f.failed, f.lost.size(), promotedAt == null ? "n/a" : String.valueOf(f.lostAfterPromotion),
                    sw == null ? "n/a" : String.valueOf(f.lostAfterSwitch.size()),
                    f.longestFailure.toMillis(), promotedAt == null ? "n/a" : String.valueOf(Duration.between(cutAt, promotedAt).toMillis()),
                    sw == null ? "n/a" : String.valueOf(Duration.between(cutAt, sw.at()).toMillis()),
                    WriteLoad.firstAckAfter(promotedAt, fresh, kept), old, fin, sw == null ? 0 : sampler.hits(old, sw.at()).size());
            System.out.printf("PARTITION %s timeline (ms from the cut):%n", name);
            timeline.forEach(t -> System.out.println("  " + t));
            f.perWriter.forEach(p -> System.out.println("  writer " + p));
            System.out.println("  sampler " + sampler.summary());
            if (!f.lostAfterSwitchDetail.isEmpty()) System.out.println("  lost after switch: " + f.lostAfterSwitchDetail);
            return f;
        }

        private String lostRange(List<Write> lost) {
            if (lost.isEmpty()) return "";
            Instant first = lost.stream().map(Write::acked).min(Comparator.naturalOrder()).orElseThrow();
            Instant last = lost.stream().map(Write::acked).max(Comparator.naturalOrder()).orElseThrow();
            return " (acked between " + rel(first) + " and " + rel(last) + ")";
        }

        private String rel(Instant t) {
            return Duration.between(cutAt, t).toMillis() + " ms";
        }

        @Override
        public void close() {
            if (promotionWatch != null) promotionWatch.close();
            for (AutoCloseable c : new AutoCloseable[] {fresh, kept, sampler, ferry, lab}) {
                if (c == null) continue;
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("closing " + c + ": " + e);
                }
            }
        }
    }

    static final class Figures {
        int acked;
        int failed;
        int lostAfterPromotion;
        Duration longestFailure = Duration.ZERO;
        final List<Write> lost = new ArrayList<>();
        final List<Write> lostAfterSwitch = new ArrayList<>();
        final List<String> lostAfterSwitchDetail = new ArrayList<>();
        final List<String> perWriter = new ArrayList<>();
    }

    /** Opens a new connection through Ferry every interval and asks {@code CONFIG GET port}: which node did it reach? */
    static final class PortSampler implements AutoCloseable {
        record Sample(Instant sent, int port) {}

        private final HostPort ferry;
        private final NetnsLab lab;
        private final Duration interval;
        private final List<Sample> samples = new ArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;

        private PortSampler(HostPort ferry, NetnsLab lab, Duration interval) {
            this.ferry = ferry;
            this.lab = lab;
            this.interval = interval;
            this.thread = new Thread(this::run, "port-sampler");
            this.thread.setDaemon(true);
        }

        static PortSampler start(HostPort ferry, NetnsLab lab, Duration interval) {
            PortSampler p = new PortSampler(ferry, lab, interval);
            p.thread.start();
            return p;
        }

        private void run() {
            while (running) {
                Instant sent = Instant.now();
                int port = -1;
                try (RedisLink l = RedisLink.open(ferry, lab.credentials(), Duration.ofSeconds(1), null)) {
                    if (l.call("CONFIG", "GET", "port") instanceof List<?> r && r.size() == 2) port = Integer.parseInt(String.valueOf(r.get(1)));
                } catch (Exception e) {
                    // no answer through Ferry: counted as a failed sample
                }
                synchronized (this) {
                    samples.add(new Sample(sent, port));
                }
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Samples whose connection was opened after {@code since} and reached {@code node}. */
        synchronized List<Sample> hits(HostPort node, Instant since) {
            return samples.stream().filter(s -> s.sent().isAfter(since) && s.port() == node.port()).toList();
        }

        synchronized List<Integer> portsSeen() {
            return samples.stream().map(Sample::port).filter(p -> p > 0).distinct().toList();
        }

        synchronized String summary() {
            Map<Integer, Long> byPort = samples.stream().collect(Collectors.groupingBy(Sample::port, java.util.TreeMap::new, Collectors.counting()));
            return samples.size() + " samples, by port (-1 = no answer): " + byPort;
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
