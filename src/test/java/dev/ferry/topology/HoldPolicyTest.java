package dev.ferry.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.HostPort;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** When the master's traffic is held during a promotion, and for how long. A manual clock, no sockets. */
@Tag("unit")
class HoldPolicyTest {
    static final HostPort S1 = HostPort.parse("10.0.0.1:26379");
    static final HostPort A = HostPort.parse("10.0.0.1:6379");
    static final HostPort B = HostPort.parse("10.0.0.2:6379");
    static final HostPort C = HostPort.parse("10.0.0.3:6379");
    static final Duration FAILOVER_HOLD = Duration.ofSeconds(2);

    static Verdict routedTo(HostPort master, long epoch, Basis basis) {
        return new Verdict(master, null, epoch, master, basis, "routed", List.of(), Set.of());
    }

    static final Verdict A_AT_4 = routedTo(A, 4, Basis.SENTINELS);

    /** Sentinel's event text, as published on {@code __sentinel__} channels. */
    static SentinelEvent event(String name, HostPort subject, HostPort master) {
        String payload = subject.equals(master)
                ? "master mymaster " + master.host() + " " + master.port() + " #quorum 2/2"
                : "slave " + subject + " " + subject.host() + " " + subject.port() + " @ mymaster " + master.host() + " " + master.port();
        return new SentinelEvent(S1, name, payload);
    }

    /** The routed verdict and the clock; each step reads as what happened. */
    static final class Given {
        final ManualTicker ticker = new ManualTicker();
        final HoldPolicy hold = new HoldPolicy("orders", "mymaster", FAILOVER_HOLD, ticker);
        Verdict routed = A_AT_4;

        Given routed(Verdict v) {
            routed = v;
            return this;
        }

        Given event(String name, HostPort subject, HostPort master) {
            hold.onEvent(HoldPolicyTest.event(name, subject, master), routed);
            return this;
        }

        Given leaderReports(HostPort names, long epoch) {
            hold.onReports(List.of(new SentinelReport(S1, true, false, names, epoch, true, true, List.of(), List.of(), "",
                    ScriptedChecks.AT, -1)), routed);
            return this;
        }

        Given after(Duration d) {
            ticker.advance(d);
            return this;
        }

        /** The election routed {@code now}; the hold learns of it as the topology tells it. */
        Given decided(Verdict now) {
            hold.decided(hold.sinceEpoch(), routed, now);
            routed = now;
            return this;
        }

        OptionalLong held() {
            return hold.sinceEpoch();
        }
    }

    @Test
    void aFailoverAnnouncedForTheRoutedMasterHoldsItsTrafficFromThatEpoch() {
        Given g = new Given().event("+odown", A, A);
        assertThat(g.held()).hasValue(4);
    }

    @Test
    void theLeadersSelectedReplicaForTheRoutedMasterHoldsItsTraffic() {
        Given g = new Given().event("+selected-slave", B, A);
        assertThat(g.held()).hasValue(4);
    }

    @Test
    void aFailoverOfAnotherMasterHoldsNothing() {
        Given g = new Given().event("+selected-slave", B, C);
        assertThat(g.held()).as("C is not the master Ferry routes to").isEmpty();
    }

    @Test
    void eventsThatAreNotPartOfAPromotionHoldNothing() {
        Given g = new Given().event("+sdown", A, A).event("+switch-master", A, A);
        assertThat(g.held()).isEmpty();
    }

    @Test
    void nothingIsHeldWhileNoMasterIsRouted() {
        Given g = new Given().routed(Verdict.INITIAL).event("+odown", A, A);
        assertThat(g.held()).isEmpty();
    }

    @Test
    void aPromotionAlreadyFollowedIsNotHeld() {
        Given g = new Given().routed(routedTo(B, 4, Basis.PROMOTED)).event("+promoted-slave", B, A);
        assertThat(g.held()).as("traffic already goes to the promoted replica").isEmpty();
    }

    @Test
    void theLeaderFlaggingFailoverInProgressWhileNamingTheRoutedMasterHoldsItsTraffic() {
        Given g = new Given().leaderReports(A, 4);
        assertThat(g.held()).hasValue(4);
    }

    @Test
    void aLeaderFlagAtAnotherEpochHoldsNothing() {
        Given g = new Given().leaderReports(A, 3);
        assertThat(g.held()).as("the report belongs to another history than the routed verdict").isEmpty();
    }

    @Test
    void aHoldEndsByItselfAfterFailoverHold() {
        Given g = new Given().event("+odown", A, A).after(Duration.ofMillis(1999));
        assertThat(g.held()).as("just inside failover-hold").isPresent();
        g.after(Duration.ofMillis(2));
        assertThat(g.held()).as("failover-hold is over").isEmpty();
        assertThat(g.hold.active()).isFalse();
    }

    @Test
    void aHoldStartsAtMostOncePerEpoch() {
        Given g = new Given().event("+odown", A, A).after(Duration.ofSeconds(3)).event("+try-failover", A, A);
        assertThat(g.held()).as("a failover that never completes must not hold traffic again and again").isEmpty();
    }

    @Test
    void aNewEpochMayHoldAgain() {
        Given g = new Given().event("+odown", A, A).after(Duration.ofSeconds(3))
                .routed(routedTo(A, 5, Basis.SENTINELS)).event("+odown", A, A);
        assertThat(g.held()).hasValue(5);
    }

    @Test
    void aPlannedFailoverMayHoldAgainAtTheSameEpochAndForItsOwnLength() {
        Given g = new Given().event("+odown", A, A).after(Duration.ofSeconds(3));
        g.hold.forPlannedFailover("planned failover to " + B, Duration.ofSeconds(10), g.routed);
        g.after(Duration.ofSeconds(9));
        assertThat(g.held()).hasValue(4);
    }

    @Test
    void theHoldEndsOnceThePromotedReplicaIsRouted() {
        Given g = new Given().event("+odown", A, A).decided(routedTo(B, 4, Basis.PROMOTED));
        assertThat(g.held()).isEmpty();
    }

    @Test
    void theHoldEndsOnceANewEpochNamesAMaster() {
        Given g = new Given().event("+odown", A, A).decided(routedTo(B, 5, Basis.SENTINELS));
        assertThat(g.held()).isEmpty();
    }

    @Test
    void theHoldStaysWhileTheElectionStillHoldsTheOldMaster() {
        Verdict holding = new Verdict(null, A, 4, A, Basis.NONE, "held", List.of(), Set.of());
        Given g = new Given().event("+odown", A, A).decided(holding);
        assertThat(g.held()).hasValue(4);
    }

    @Test
    void releaseEndsAHoldEarlyAndSaysWhetherOneWasOn() {
        Given g = new Given().event("+odown", A, A);
        assertThat(g.hold.release()).isTrue();
        assertThat(g.held()).isEmpty();
        assertThat(g.hold.release()).as("nothing left to release").isFalse();
    }

    @Test
    void theLeadersAnnouncedPromotionIsEvidenceForTenSeconds() {
        Given g = new Given().event("+failover-state-wait-promotion", B, A);
        assertThat(g.hold.promotion()).contains(new Promotion(B, A, S1));
        g.after(Duration.ofSeconds(10));
        assertThat(g.hold.promotion()).as("exactly 10 s").isPresent();
        g.after(Duration.ofMillis(1));
        assertThat(g.hold.promotion()).as("the Sentinels' epoch should have confirmed it long before").isEmpty();
    }

    @Test
    void theEndOfTheFailoverForgetsTheAnnouncedPromotion() {
        Given g = new Given().event("+promoted-slave", B, A).event("+failover-end", A, A);
        assertThat(g.hold.promotion()).isEmpty();
    }

    @Test
    void theAnnouncedPromotionIsSpentOnceTheEpochMovesOn() {
        Given g = new Given().event("+promoted-slave", B, A).decided(routedTo(B, 4, Basis.PROMOTED));
        assertThat(g.hold.promotion()).as("same epoch: still the evidence the route rests on").isPresent();
        g.decided(routedTo(B, 5, Basis.SENTINELS));
        assertThat(g.hold.promotion()).isEmpty();
    }

    @Test
    void aPromotionAPlannedFailoverObservedIsEvidenceToo() {
        Given g = new Given();
        g.hold.notePromotion(new Promotion(B, A, B));
        assertThat(g.hold.promotion()).contains(new Promotion(B, A, B));
    }
}
