package dev.ferry.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.HostPort;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** What operators read about past changes of master and Sentinel events. A manual clock. */
@Tag("unit")
class TopologyHistoryTest {
    static final HostPort S1 = HostPort.parse("10.0.0.1:26379");
    static final HostPort A = HostPort.parse("10.0.0.1:6379");
    static final HostPort B = HostPort.parse("10.0.0.2:6379");

    static Verdict routedTo(HostPort master, Basis basis) {
        return new Verdict(master, null, 4, master, basis, "routed to " + master, List.of(), Set.of());
    }

    static final Verdict NONE = Verdict.none(4, A, "no master", List.of());

    /** A history and its clock; {@link #routed} plays one routing change as the topology applies it. */
    static final class Given {
        final ManualTicker ticker = new ManualTicker();
        final TopologyHistory history = new TopologyHistory("orders", "mymaster", ticker);
        Verdict current = Verdict.INITIAL;

        Given round() {
            history.roundStarted();
            return this;
        }

        Given after(Duration d) {
            ticker.advance(d);
            return this;
        }

        Given routed(Verdict now) {
            history.routed(current, now);
            current = now;
            return this;
        }

        TopologySnapshot snapshot() {
            return history.snapshot(current, List.of(), List.of(), List.of(), ReplicaSet.OFF);
        }

        SwitchRecord lastSwitch() {
            return snapshot().switches().get(0);
        }
    }

    @Test
    void theFirstMasterIsASwitchFromNoneThatTookNoTime() {
        Given g = new Given().after(Duration.ofSeconds(3)).round().routed(routedTo(A, Basis.SENTINELS));
        assertThat(g.lastSwitch().from()).isNull();
        assertThat(g.lastSwitch().to()).isEqualTo(A);
        assertThat(g.lastSwitch().took()).as("nothing was switched away from").isZero();
    }

    @Test
    void aDirectSwitchTookTheRoundItHappenedIn() {
        Given g = new Given().round().routed(routedTo(A, Basis.SENTINELS))
                .after(Duration.ofSeconds(5)).round().after(Duration.ofMillis(12)).routed(routedTo(B, Basis.HANDOVER));
        assertThat(g.lastSwitch().from()).isEqualTo(A);
        assertThat(g.lastSwitch().took()).isEqualTo(Duration.ofMillis(12));
        assertThat(g.lastSwitch().basis()).isEqualTo(Basis.HANDOVER);
    }

    @Test
    void aSwitchAfterAGapCountsFromWhenTheOldMasterLostItsTraffic() {
        Given g = new Given().round().routed(routedTo(A, Basis.SENTINELS))
                .round().routed(NONE).after(Duration.ofMillis(2500)).round().after(Duration.ofMillis(40)).routed(routedTo(B, Basis.PROMOTED));
        assertThat(g.lastSwitch().took()).isEqualTo(Duration.ofMillis(2540));
    }

    @Test
    void aNewBasisForTheSameMasterIsNoSwitch() {
        Given g = new Given().round().routed(routedTo(A, Basis.SENTINELS)).round().routed(routedTo(A, Basis.LAST_KNOWN));
        assertThat(g.snapshot().switches()).hasSize(1);
    }

    @Test
    void theMasterComingBackAfterAGapIsNoSwitch() {
        Given g = new Given().round().routed(routedTo(A, Basis.SENTINELS)).round().routed(NONE).round().routed(routedTo(A, Basis.SENTINELS));
        assertThat(g.snapshot().switches()).as("traffic went back to the same node").hasSize(1);
    }

    @Test
    void theLatestTwentySwitchesAreKeptNewestFirst() {
        Given g = new Given();
        for (int i = 0; i < 25; i++) g.round().routed(routedTo(i % 2 == 0 ? A : B, Basis.SENTINELS));
        List<SwitchRecord> kept = g.snapshot().switches();
        assertThat(kept).hasSize(TopologyHistory.KEPT);
        assertThat(kept.get(0).to()).as("the 25th switch went to A").isEqualTo(A);
        assertThat(kept.get(0).from()).isEqualTo(B);
    }

    @Test
    void sentinelEventsAreKeptNewestFirstWithTheirTimeAndAllAreCounted() {
        Given g = new Given();
        for (int i = 0; i < 22; i++) {
            g.history.event(new SentinelEvent(S1, "+sdown", "slave " + i));
            g.after(Duration.ofSeconds(1));
        }
        TopologySnapshot s = g.snapshot();
        assertThat(s.sentinelEvents()).isEqualTo(22);
        assertThat(s.recentEvents()).hasSize(TopologyHistory.KEPT);
        assertThat(s.recentEvents().get(0)).isEqualTo("2026-11-26T12:00:21Z " + S1 + " +sdown slave 21");
    }

    @Test
    void onlyAcceptedFencesAreCounted() {
        Given g = new Given();
        g.history.fenced(true);
        g.history.fenced(false);
        assertThat(g.snapshot().fences()).isEqualTo(1);
    }

    @Test
    void everyRoundIsCounted() {
        Given g = new Given().round().round().round();
        assertThat(g.snapshot().rounds()).isEqualTo(3);
    }
}
