package dev.ferry.faults;

import static dev.ferry.testkit.Waits.SWITCH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.config.HostPort;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.drill.WriteLoad;
import dev.ferry.drill.WriteLoad.Write;
import dev.ferry.testkit.FerryHarness;
import dev.ferry.testkit.PromotionWatch;
import dev.ferry.testkit.TestGroup;
import dev.ferry.topology.SwitchRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Faults of the master process itself (no network cut), with writers through Ferry on new and kept
 * connections. Afterwards every acknowledged key is read back from the final master: none acknowledged
 * after Ferry's switch may be missing, and no write may reach the old master after it.
 */
@Tag("integration")
class ProcessFaultTest {
    static RedisGroup group() {
        return TestGroup.start("pw-faults");
    }

    /** The writers, started through Ferry; closed and checked by {@link #assertNothingLostAfter}. */
    record Writers(WriteLoad fresh, WriteLoad kept) implements AutoCloseable {
        static Writers start(FerryHarness f, RedisGroup g) {
            return new Writers(WriteLoad.start(f.address(), g.credentials(), Duration.ofMillis(10), false, "fresh"),
                    WriteLoad.start(f.address(), g.credentials(), Duration.ofMillis(10), true, "kept"));
        }

        @Override
        public void close() {
            fresh.close();
            kept.close();
        }
    }

    private static void assertNothingLostAfter(Instant switched, Writers w, HostPort master, String scenario) throws Exception {
        w.close();
        for (WriteLoad load : List.of(w.fresh(), w.kept())) {
            List<Write> lost = load.lostWrites(master);
            long after = lost.stream().filter(x -> x.acked().isAfter(switched)).count();
            System.out.printf("%s: %s lost=%d lost_after_switch=%d%n", scenario, load, lost.size(), after);
            assertThat(after).as(scenario + " " + load).isZero();
            assertThat(load.acked()).as("writes went through at all").hasSizeGreaterThan(20);
        }
    }

    private static PromotionWatch watchReplicasOf(RedisGroup g, HostPort master) {
        return PromotionWatch.start(g.nodeAddresses().stream().filter(n -> !n.equals(master)).toList(), g::role);
    }

    private static SwitchRecord lastSwitch(FerryHarness f) {
        return f.snapshot().switches().get(0);
    }

    @Test
    void underLoadASentinelFailoverLosesNoAcknowledgedWrite() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g); Writers w = Writers.start(f, g)) {
            HostPort old = f.awaitRouted();
            Thread.sleep(1000);
            g.sentinelFailover();
            HostPort now = f.awaitMovedFrom(old);
            Thread.sleep(1000);
            w.close();
            // The old master stays writable ~10 s under a bare SENTINEL FAILOVER; behind Ferry nothing went there.
            for (WriteLoad load : List.of(w.fresh(), w.kept())) {
                assertThat(load.countLost(now)).as(load.toString()).isZero();
            }
            System.out.printf("sentinel-failover: %s | %s%n", w.fresh(), w.kept());
        }
    }

    @Test
    void aMasterStoppedPastDownAfterAndContinuedGetsNothingAndLosesNothingAfterTheSwitch() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g); Writers w = Writers.start(f, g)) {
            HostPort old = f.awaitRouted();
            Thread.sleep(500);
            PromotionWatch promotion = watchReplicasOf(g, old);
            g.node(old).pause();
            f.awaitMovedFrom(old);
            promotion.close();
            System.out.printf("sigstop-sigcont: first_ack_after_promotion_ms=%s%n",
                    WriteLoad.firstAckAfter(promotion.promotedAt(), w.fresh(), w.kept()));
            HostPort now = f.routedMaster();
            Instant switched = lastSwitch(f).at();
            g.node(old).resume();
            Thread.sleep(2000);
            await().atMost(SWITCH).until(() -> "slave".equals(g.role(old)));
            assertNothingLostAfter(switched, w, now, "sigstop-sigcont");
        }
    }

    @Test
    void aCrashedMasterThatRestartsEmptyClaimingMasterGetsNothing() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g); Writers w = Writers.start(f, g)) {
            HostPort old = f.awaitRouted();
            Thread.sleep(500);
            PromotionWatch promotion = watchReplicasOf(g, old);
            g.node(old).kill();
            f.awaitMovedFrom(old);
            promotion.close();
            Thread.sleep(300);  // let the first writes after the promotion land before measuring
            System.out.printf("crash-restart-empty: first_ack_after_promotion_ms=%s%n",
                    WriteLoad.firstAckAfter(promotion.promotedAt(), w.fresh(), w.kept()));
            HostPort now = f.routedMaster();
            Instant switched = lastSwitch(f).at();
            // save "": it comes back empty, and as a master (its config has no replicaof line).
            g.node(old).restart();
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until) {
                assertThat(f.portBehind()).isEqualTo(now.port());
                Thread.sleep(50);
            }
            await().atMost(SWITCH).until(() -> "slave".equals(g.role(old)));
            assertNothingLostAfter(switched, w, now, "crash-restart-empty");
        }
    }
}
