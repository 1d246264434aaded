package dev.ferry.failover;

import static dev.ferry.testkit.Waits.SWITCH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.Ferry;
import dev.ferry.config.HostPort;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.drill.WriteLoad;
import dev.ferry.testkit.FerryHarness;
import dev.ferry.testkit.TestGroup;
import dev.ferry.topology.Basis;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code ferry failover}: a planned switch that loses nothing and leaves Sentinel with nothing to redo. */
@Tag("integration")
class PlannedFailoverTest {
    static RedisGroup group() {
        return TestGroup.start("pw-planned");
    }

    private static PlannedFailover planned(FerryHarness f) {
        Ferry.Frontend fr = f.frontend();
        return new PlannedFailover(fr.config(), Optional.of(fr.topology()), Optional.of(fr.router()));
    }

    @Test
    void aPlannedFailoverLosesNoAcknowledgedWriteAndNothingMovesAfterwards() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g)) {
            HostPort before = f.awaitRouted();
            HostPort target = f.aReplica();
            FailoverReport report;
            try (WriteLoad fresh = WriteLoad.start(f.address(), g.credentials(), Duration.ofMillis(10), false, "fresh");
                 WriteLoad kept = WriteLoad.start(f.address(), g.credentials(), Duration.ofMillis(5), true, "kept")) {
                Thread.sleep(300);
                report = planned(f).run(Optional.of(target));
                Thread.sleep(500);
                fresh.close();
                kept.close();
                assertThat(report.converged()).as(report.render()).isTrue();
                assertThat(fresh.countLost(target)).as(fresh.toString()).isZero();
                assertThat(kept.countLost(target)).as(kept.toString()).isZero();
            }
            assertThat(report.before()).isEqualTo(before);
            assertThat(report.after()).isEqualTo(target);
            assertThat(report.epochAfter()).isGreaterThan(report.epochBefore());
            assertThat(f.routedMaster()).isEqualTo(target);
            assertThat(g.awaitSentinelsAgree(SWITCH)).isEqualTo(target);
            // A bare FAILOVER TO is followed ~40 s later by Sentinel's own failover; this must not be.
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < until) {
                assertThat(g.nodesSayingMaster()).containsExactly(target);
                assertThat(g.sentinelMaster()).isEqualTo(target);
                Thread.sleep(1000);
            }
        }
    }

    @Test
    void aTargetThatIsNotAKnownReplicaIsRefusedAndNothingChanges() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g)) {
            HostPort master = f.awaitRouted();
            assertThatThrownBy(() -> planned(f).run(Optional.of(HostPort.parse("127.0.0.1:1"))))
                    .isInstanceOf(FailoverRefused.class).hasMessageContaining("is not a known replica of " + master);
            assertUnchanged(g, f, master);
        }
    }

    @Test
    void withoutASentinelMajorityTheFailoverIsRefused() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g)) {
            HostPort master = f.awaitRouted();
            g.sentinels().get(0).kill();
            g.sentinels().get(1).kill();
            assertThatThrownBy(() -> planned(f).run(Optional.empty()))
                    .isInstanceOf(FailoverRefused.class).hasMessageContaining("the Sentinels have no majority: only 1 of 3 answer");
            assertUnchanged(g, f, master);
        }
    }

    @Test
    void withNoReplicaInSyncTheFailoverIsRefused() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g)) {
            HostPort master = f.awaitRouted();
            for (HostPort n : g.nodeAddresses()) if (!n.equals(master)) g.node(n).kill();
            await().atMost(SWITCH).until(() -> ((List<?>) ((List<?>) g.node(master).call("ROLE")).get(2)).isEmpty());
            assertThatThrownBy(() -> planned(f).run(Optional.empty()))
                    .isInstanceOf(FailoverRefused.class).hasMessageContaining("no replica is in sync with " + master);
            assertUnchanged(g, f, master);
        }
    }

    @Test
    void aFailureAfterWritesArePausedRollsBackAndUnpausesTheMaster() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g)) {
            HostPort master = f.awaitRouted();
            Ferry.Frontend fr = f.frontend();
            // Every Sentinel dies between the pause and SENTINEL FAILOVER: nobody can promote.
            PlannedFailover planned = new PlannedFailover(fr.config(), Optional.of(fr.topology()), Optional.of(fr.router()),
                    step -> {
                        if (step.equals("promote")) g.sentinels().forEach(s -> s.kill());
                    });
            assertThatThrownBy(() -> planned.run(Optional.empty()))
                    .isInstanceOf(FailoverFailed.class).hasMessageContaining("no Sentinel accepted SENTINEL FAILOVER; rolled back");
            // CLIENT PAUSE was 5 s; a write answering within the call's 1 s timeout shows it was lifted.
            assertThat(g.node(master).call("SET", "unpaused", "1")).isEqualTo("OK");
            await().atMost(SWITCH).until(() -> master.equals(f.routedMaster()));
            assertUnchanged(g, f, master);
        }
    }

    @Test
    void aTargetWithReplicaPriorityZeroIsRefused() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g)) {
            HostPort master = f.awaitRouted();
            HostPort target = f.aReplica();
            g.node(target).call("CONFIG", "SET", "replica-priority", "0");
            assertThatThrownBy(() -> planned(f).run(Optional.of(target)))
                    .isInstanceOf(FailoverRefused.class).hasMessageContaining("replica-priority 0: Sentinel never promotes it");
            g.node(target).call("CONFIG", "SET", "replica-priority", "100");
            assertUnchanged(g, f, master);
        }
    }

    /** Same master, still routed, and writes go through at once (nothing left paused or held). */
    private static void assertUnchanged(RedisGroup g, FerryHarness f, HostPort master) throws Exception {
        assertThat(f.routedMaster()).isEqualTo(master);
        assertThat(g.role(master)).isEqualTo("master");
        try (var l = f.connect()) {
            assertThat(l.call("SET", "after-refusal", "1")).isEqualTo("OK");
        }
        for (HostPort n : g.nodeAddresses()) {
            if (g.node(n).alive()) assertThat(((List<?>) g.node(n).call("CONFIG", "GET", "replica-priority")).get(1)).isEqualTo("100");
        }
    }

    @Test
    void aSentinelFailoverIsFollowedAtThePromotionNotAtSwitchMaster() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g)) {
            HostPort old = f.awaitRouted();
            g.sentinelFailover();
            f.awaitMovedFrom(old);
            var switches = f.snapshot().switches();
            assertThat(switches.get(0).basis()).as(switches.get(0).reason()).isIn(Basis.PROMOTED, Basis.SENTINELS);
            assertThat(switches.get(0).basis()).as("followed the leader's announced promotion").isEqualTo(Basis.PROMOTED);
        }
    }

    @Test
    void aFailoverToMadeBesideFerryIsFollowedAndSoIsSentinelsOwnFailoverAfterIt() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g)) {
            HostPort first = f.awaitRouted();
            HostPort target = f.aReplica();
            try (WriteLoad kept = WriteLoad.start(f.address(), g.credentials(), Duration.ofMillis(10), true, "kept")) {
                g.failoverTo(target);
                await().atMost(SWITCH).until(() -> target.equals(f.routedMaster()));
                var verdict = f.snapshot().verdict();
                assertThat(verdict.basis()).isEqualTo(Basis.HANDOVER);
                assertThat(verdict.warnings()).anyMatch(w -> w.contains("Sentinel will mark") && w.contains("fail over again"));
                // Sentinel marks the demoted node down (it reports slave) and fails over a second time.
                await().atMost(Duration.ofSeconds(90)).until(() -> f.snapshot().verdict().basis() == Basis.SENTINELS
                        || f.snapshot().verdict().epoch() > verdict.epoch());
                HostPort second = g.awaitSentinelsAgree(Duration.ofSeconds(60));
                await().atMost(SWITCH).until(() -> second.equals(f.routedMaster()));
                Thread.sleep(1000);
                kept.close();
                assertThat(kept.countLost(second)).as(kept.toString()).isZero();
            }
        }
    }
}
