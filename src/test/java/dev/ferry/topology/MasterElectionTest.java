package dev.ferry.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.HostPort;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The master rule, given what Sentinels and nodes answered. No sockets. */
class MasterElectionTest {
    static final HostPort S1 = HostPort.parse("10.0.0.1:26379");
    static final HostPort S2 = HostPort.parse("10.0.0.2:26379");
    static final HostPort S3 = HostPort.parse("10.0.0.3:26379");
    static final HostPort A = HostPort.parse("10.0.0.1:6379");
    static final HostPort B = HostPort.parse("10.0.0.2:6379");
    static final HostPort C = HostPort.parse("10.0.0.3:6379");
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    private final MasterElection election = new MasterElection();

    /** A small builder of observations, so each test reads as its scenario. */
    static final class Given {
        final List<SentinelReport> sentinels = new ArrayList<>();
        final Map<HostPort, NodeReport> nodes = new HashMap<>();
        final Map<HostPort, Long> epochs = new HashMap<>();
        Verdict previous = Verdict.INITIAL;
        OptionalLong hold = OptionalLong.empty();
        Optional<Promotion> promotion = Optional.empty();
        final Map<HostPort, Duration> unavailable = new HashMap<>();
        Optional<Duration> downAfter = Optional.empty();
        int configured = 3;

        Given sentinel(HostPort s, HostPort names, long epoch) {
            sentinels.add(SentinelReport.names(s, names, epoch, NOW));
            return this;
        }

        Given sentinelDown(HostPort s) {
            sentinels.add(SentinelReport.unreachable(s, "connection refused", NOW));
            return this;
        }

        Given sentinelInTilt(HostPort s, HostPort names, long epoch) {
            sentinels.add(new SentinelReport(s, true, true, names, epoch, false, false, List.of(), List.of(), "in TILT mode", NOW, -1));
            return this;
        }

        Given master(HostPort n) {
            nodes.put(n, NodeReport.master(n, 100, NOW));
            return this;
        }

        Given replica(HostPort n, HostPort of, boolean linkUp) {
            nodes.put(n, NodeReport.replica(n, of, linkUp, 100, NOW));
            return this;
        }

        Given down(HostPort n, String why) {
            nodes.put(n, NodeReport.down(n, why, NOW));
            unavailable.put(n, Duration.ofSeconds(1));
            return this;
        }

        Given busy(HostPort n) {
            nodes.put(n, NodeReport.unanswered(n, Liveness.BUSY, "-BUSY Redis is busy running a script.", NOW));
            unavailable.put(n, Duration.ofSeconds(1));
            return this;
        }

        Given loading(HostPort n) {
            nodes.put(n, NodeReport.unanswered(n, Liveness.LOADING, "LOADING the dataset", NOW));
            return this;
        }

        Given silent(HostPort n) {
            nodes.put(n, NodeReport.unanswered(n, Liveness.SILENT, "timeout", NOW));
            unavailable.put(n, Duration.ofSeconds(1));
            return this;
        }

        /** Its checks have had no acceptable answer for this long (Sentinel's last-ok-ping-reply). */
        Given unavailableFor(HostPort n, Duration d) {
            unavailable.put(n, d);
            return this;
        }

        Given downAfter(Duration d) {
            downAfter = Optional.of(d);
            return this;
        }

        Given routedBefore(Verdict v) {
            previous = v;
            return this;
        }

        Given wasMasterAtEpoch(HostPort n, long epoch) {
            epochs.put(n, epoch);
            return this;
        }

        Given holdingSince(long epoch) {
            hold = OptionalLong.of(epoch);
            return this;
        }

        Given announcedPromotion(HostPort replica, HostPort of) {
            promotion = Optional.of(new Promotion(replica, of, S1));
            return this;
        }

        Given staticServers() {
            configured = 0;
            return this;
        }

        Observation observation() {
            return new Observation(configured, sentinels, nodes, previous, epochs, hold, promotion, unavailable, downAfter);
        }
    }

    static Verdict routing(HostPort master, long epoch, HostPort named, Basis basis) {
        return new Verdict(master, null, epoch, named, basis, "before", List.of(), java.util.Set.of());
    }

    private Verdict decide(Given g) {
        return election.decide(g.observation());
    }

    @Test
    void routesToTheNodeTheSentinelMajorityNamesWhenItAnswersMaster() {
        Verdict v = decide(new Given().sentinel(S1, A, 0).sentinel(S2, A, 0).sentinel(S3, A, 0)
                .master(A).replica(B, A, true).replica(C, A, true));
        assertThat(v.master()).isEqualTo(A);
        assertThat(v.basis()).isEqualTo(Basis.SENTINELS);
        assertThat(v.warnings()).isEmpty();
    }

    @Test
    void routesNowhereWhileTheNamedNodeIsAReplicaWithItsLinkDown() {
        Verdict v = decide(new Given().sentinel(S1, A, 0).sentinel(S2, A, 0).sentinel(S3, A, 0)
                .replica(A, B, false).master(B));
        assertThat(v.hasMaster()).isFalse();
        assertThat(v.reason()).contains("link down");
    }

    @Test
    void followsAHandoverMadeOutsideSentinelAlongTheReplicationChain() {
        // FAILOVER TO B on A: the Sentinels still name A for ~40 s, but A now replicates from B.
        Verdict v = decide(new Given().sentinel(S1, A, 3).sentinel(S2, A, 3).sentinel(S3, A, 3)
                .replica(A, B, true).master(B).replica(C, A, true));
        assertThat(v.master()).isEqualTo(B);
        assertThat(v.basis()).isEqualTo(Basis.HANDOVER);
        assertThat(v.named()).isEqualTo(A);
        assertThat(v.warnings()).anyMatch(w -> w.contains("the Sentinels disagree with the nodes") && w.contains("fail over again"));
    }

    @Test
    void neverRoutesToASecondNodeThatClaimsMaster() {
        Verdict v = decide(new Given().sentinel(S1, A, 3).sentinel(S2, A, 3).sentinel(S3, A, 3)
                .master(A).master(C).replica(B, A, true));
        assertThat(v.master()).isEqualTo(A);
        assertThat(v.warnings()).anyMatch(w -> w.startsWith(C + " says master but gets no traffic"));
        assertThat(v.fence()).as("C was never master under an older epoch: nothing proves it stale").isEmpty();
    }

    @Test
    void aReturningOldMasterGetsNothingAndIsFenced() {
        // A was master at epoch 3; Sentinels promoted B at epoch 4; A comes back still saying master.
        Verdict v = decide(new Given().sentinel(S1, B, 4).sentinel(S2, B, 4).sentinel(S3, A, 3)
                .master(A).master(B).replica(C, B, true)
                .wasMasterAtEpoch(A, 3).routedBefore(routing(A, 3, A, Basis.SENTINELS)));
        assertThat(v.master()).isEqualTo(B);
        assertThat(v.epoch()).isEqualTo(4);
        assertThat(v.fence()).containsExactly(A);
    }

    @Test
    void theHighestConfigEpochWinsEvenFromOneSentinelOfTheMajority() {
        // The failover leader adopts the promoted replica first; the others follow within ~2 s.
        Verdict v = decide(new Given().sentinel(S1, B, 5).sentinel(S2, A, 4).sentinel(S3, A, 4)
                .master(B).master(A));
        assertThat(v.master()).isEqualTo(B);
        assertThat(v.reason()).contains("1 of 3 Sentinels name " + B);
    }

    @Test
    void sentinelsInTiltOrUnreachableDoNotCountTowardsTheMajority() {
        Verdict v = decide(new Given().sentinel(S1, A, 0).sentinelDown(S2).sentinelInTilt(S3, A, 0).master(A));
        assertThat(v.hasMaster()).as("no majority and no master agreed before").isFalse();
        assertThat(v.warnings()).anyMatch(w -> w.contains("only 1 of 3 Sentinels answer"));
    }

    @Test
    void withoutAMajorityTheLastAgreedMasterIsKeptWhileItStillSaysMaster() {
        Verdict v = decide(new Given().sentinelDown(S1).sentinelDown(S2).sentinelDown(S3).master(A)
                .routedBefore(routing(A, 2, A, Basis.SENTINELS)));
        assertThat(v.master()).isEqualTo(A);
        assertThat(v.basis()).isEqualTo(Basis.LAST_KNOWN);
    }

    @Test
    void withoutAMajorityADemotedLastMasterIsDropped() {
        Verdict v = decide(new Given().sentinelDown(S1).sentinelDown(S2).sentinelDown(S3).replica(A, B, true).master(B)
                .routedBefore(routing(A, 2, A, Basis.SENTINELS)));
        assertThat(v.hasMaster()).isFalse();
        assertThat(v.warnings()).anyMatch(w -> w.startsWith(B + " says master but gets no traffic"));
    }

    @Test
    void twoAddressesAtTheSameTopEpochAreNoAuthority() {
        Verdict v = decide(new Given().sentinel(S1, A, 4).sentinel(S2, B, 4).sentinelDown(S3).master(A).master(B)
                .routedBefore(routing(A, 4, A, Basis.SENTINELS)));
        assertThat(v.basis()).isEqualTo(Basis.LAST_KNOWN);
        assertThat(v.warnings()).anyMatch(w -> w.contains("at the same config epoch 4: no authority"));
    }

    @Test
    void whileSentinelPromotesAReplicaTheMastersSessionsAreHeldNotRouted() {
        Verdict v = decide(new Given().sentinel(S1, A, 4).sentinel(S2, A, 4).sentinel(S3, A, 4)
                .master(A).replica(B, A, true).holdingSince(4).routedBefore(routing(A, 4, A, Basis.SENTINELS)));
        assertThat(v.master()).isNull();
        assertThat(v.held()).isEqualTo(A);
    }

    @Test
    void theHoldEndsWhenTheEpochMovesOn() {
        Verdict v = decide(new Given().sentinel(S1, B, 5).sentinel(S2, A, 4).sentinel(S3, A, 4)
                .master(A).master(B).holdingSince(4).wasMasterAtEpoch(A, 4).routedBefore(routing(A, 4, A, Basis.SENTINELS)));
        assertThat(v.master()).isEqualTo(B);
        assertThat(v.held()).isNull();
        assertThat(v.fence()).containsExactly(A);
    }

    @Test
    void anAnnouncedPromotionIsFollowedOnceTheReplicaAnswersMaster() {
        Given g = new Given().sentinel(S1, A, 4).sentinel(S2, A, 4).sentinel(S3, A, 4)
                .master(A).master(B).holdingSince(4).announcedPromotion(B, A).routedBefore(routing(A, 4, A, Basis.SENTINELS));
        Verdict v = decide(g);
        assertThat(v.master()).isEqualTo(B);
        assertThat(v.basis()).isEqualTo(Basis.PROMOTED);
        assertThat(v.fence()).as("no fencing before the epoch confirms the promotion").isEmpty();
    }

    @Test
    void anAnnouncedPromotionIsNotFollowedWhileTheReplicaStillAnswersReplica() {
        Verdict v = decide(new Given().sentinel(S1, A, 4).sentinel(S2, A, 4).sentinel(S3, A, 4)
                .master(A).replica(B, A, true).holdingSince(4).announcedPromotion(B, A).routedBefore(routing(A, 4, A, Basis.SENTINELS)));
        assertThat(v.master()).isNull();
        assertThat(v.held()).isEqualTo(A);
    }

    @Test
    void aPromotionOfAnotherMasterThanTheNamedOneIsIgnored() {
        Verdict v = decide(new Given().sentinel(S1, A, 4).sentinel(S2, A, 4).sentinel(S3, A, 4)
                .master(A).master(B).announcedPromotion(B, C).routedBefore(routing(A, 4, A, Basis.SENTINELS)));
        assertThat(v.master()).isEqualTo(A);
    }

    // ---- busy is not down: a master stops being master when it says so, when the Sentinels' majority
    // promotes another, or after the operator's down-after

    static Given sentinelsNameAAt4() {
        return new Given().sentinel(S1, A, 4).sentinel(S2, A, 4).sentinel(S3, A, 4).replica(B, A, true)
                .routedBefore(routing(A, 4, A, Basis.SENTINELS));
    }

    @Test
    void aMasterAnsweringBusyStaysMaster() {
        Verdict v = decide(sentinelsNameAAt4().busy(A));
        assertThat(v.master()).as("a script past its time limit: clients get -BUSY from it, and SCRIPT KILL must reach it").isEqualTo(A);
        assertThat(v.basis()).isEqualTo(Basis.SENTINELS);
        assertThat(v.reason()).contains("-BUSY").contains("until it says otherwise or the Sentinels promote another");
    }

    @Test
    void aMasterAnsweringLoadingStaysMaster() {
        Verdict v = decide(sentinelsNameAAt4().loading(A));
        assertThat(v.master()).as("Sentinel counts -LOADING as an answer").isEqualTo(A);
        assertThat(v.reason()).contains("-LOADING");
    }

    @Test
    void aMasterSilentPastTheCheckTimeoutStaysMaster() {
        Verdict v = decide(sentinelsNameAAt4().silent(A));
        assertThat(v.master()).as("DEBUG SLEEP or a slow command: its sessions get their replies once it is free").isEqualTo(A);
        assertThat(v.held()).as("routed, not held: commands reach it as they would directly").isNull();
        assertThat(v.reason()).contains("does not answer within the check timeout");
    }

    @Test
    void aSilentMasterIsLeftOnceTheSentinelsPromoteAnother() {
        Verdict v = decide(new Given().sentinel(S1, B, 5).sentinel(S2, B, 5).sentinel(S3, A, 4)
                .silent(A).master(B).replica(C, B, true).wasMasterAtEpoch(A, 4).routedBefore(routing(A, 4, A, Basis.SENTINELS)));
        assertThat(v.master()).isEqualTo(B);
        assertThat(v.fence()).as("A says nothing now; it is fenced once it answers master again").isEmpty();
    }

    @Test
    void aBusyMasterIsLeftOnceTheLeaderAnnouncesThePromotedReplica() {
        Verdict v = decide(sentinelsNameAAt4().busy(A).master(B).announcedPromotion(B, A));
        assertThat(v.master()).isEqualTo(B);
        assertThat(v.basis()).isEqualTo(Basis.PROMOTED);
    }

    @Test
    void whileSentinelPromotesAReplicaABusyMastersSessionsAreHeld() {
        Verdict v = decide(sentinelsNameAAt4().busy(A).holdingSince(4));
        assertThat(v.master()).isNull();
        assertThat(v.held()).as("the failover hold applies as to any master").isEqualTo(A);
    }

    @Test
    void aSilentMasterStaysMasterWithinTheOperatorsDownAfter() {
        Verdict v = decide(sentinelsNameAAt4().silent(A).unavailableFor(A, Duration.ofSeconds(5)).downAfter(Duration.ofSeconds(5)));
        assertThat(v.master()).as("exactly down-after: Sentinel's test is 'longer than'").isEqualTo(A);
        assertThat(v.reason()).contains("or for down-after (5000 ms)");
    }

    @Test
    void aSilentMasterStopsBeingMasterOnceTheOperatorsDownAfterHasPassed() {
        Verdict v = decide(sentinelsNameAAt4().silent(A).unavailableFor(A, Duration.ofMillis(5001)).downAfter(Duration.ofSeconds(5)));
        assertThat(v.attached()).as("neither routed nor held: its sessions leave it").isNull();
        assertThat(v.reason()).contains("is silent (timeout) for 5001 ms, past down-after (5000 ms)");
    }

    @Test
    void aBusyMasterStopsBeingMasterOnceTheOperatorsDownAfterHasPassed() {
        Verdict v = decide(sentinelsNameAAt4().busy(A).unavailableFor(A, Duration.ofSeconds(31)).downAfter(Duration.ofSeconds(30)));
        assertThat(v.hasMaster()).isFalse();
    }

    @Test
    void aBusyNodeFerryNeverRoutedToIsNotMadeMaster() {
        Verdict v = decide(new Given().sentinel(S1, A, 4).sentinel(S2, A, 4).sentinel(S3, A, 4).busy(A).replica(B, A, true));
        assertThat(v.hasMaster()).as("at start nothing proves A says master: wait for its ROLE").isFalse();
        assertThat(v.reason()).contains("the Sentinels' choice " + A + " is busy");
    }

    @Test
    void aBusyMasterReachedByAHandoverStaysMaster() {
        Verdict v = decide(new Given().sentinel(S1, A, 3).sentinel(S2, A, 3).sentinel(S3, A, 3)
                .replica(A, B, true).busy(B).routedBefore(routing(B, 3, A, Basis.HANDOVER)));
        assertThat(v.master()).isEqualTo(B);
        assertThat(v.basis()).isEqualTo(Basis.HANDOVER);
    }

    @Test
    void withoutAMajorityABusyLastMasterIsKept() {
        Verdict v = decide(new Given().sentinelDown(S1).sentinelDown(S2).sentinelDown(S3).silent(A)
                .routedBefore(routing(A, 2, A, Basis.SENTINELS)));
        assertThat(v.master()).isEqualTo(A);
        assertThat(v.basis()).isEqualTo(Basis.LAST_KNOWN);
    }

    @Test
    void aMasterThatRefusesConnectionsIsDropped() {
        Verdict v = decide(new Given().sentinel(S1, A, 4).sentinel(S2, A, 4).sentinel(S3, A, 4)
                .down(A, "connection refused").replica(B, A, false).routedBefore(routing(A, 4, A, Basis.SENTINELS)));
        assertThat(v.attached()).isNull();
        assertThat(v.reason()).contains("connection refused");
    }

    @Test
    void staticModeKeepsTheMasterItHadWhenASecondNodeClaimsMaster() {
        Verdict v = decide(new Given().staticServers().master(A).master(B).routedBefore(routing(A, -1, null, Basis.STATIC)));
        assertThat(v.master()).isEqualTo(A);
        assertThat(v.warnings()).anyMatch(w -> w.startsWith("conflict"));
    }

    @Test
    void staticModeTakesTheOnlyNodeThatSaysMaster() {
        Verdict v = decide(new Given().staticServers().replica(A, B, true).master(B).replica(C, B, true)
                .routedBefore(routing(A, -1, null, Basis.STATIC)));
        assertThat(v.master()).isEqualTo(B);
    }

    @Test
    void staticModeRoutesToNoneOfSeveralNewClaimants() {
        Verdict v = decide(new Given().staticServers().down(A, "connection refused").master(B).master(C)
                .routedBefore(routing(A, -1, null, Basis.STATIC)));
        assertThat(v.hasMaster()).isFalse();
        assertThat(v.warnings()).anyMatch(w -> w.contains("routing to none of them"));
    }

    @Test
    void staticModeKeepsABusyMaster() {
        Verdict v = decide(new Given().staticServers().busy(A).replica(B, A, true).downAfter(Duration.ofSeconds(30))
                .routedBefore(routing(A, -1, null, Basis.STATIC)));
        assertThat(v.master()).isEqualTo(A);
        assertThat(v.reason()).contains("until it says otherwise, or for down-after (30000 ms)").doesNotContain("Sentinels");
    }

    @Test
    void staticModeKeepsASilentMasterWithinDownAfterThoughAnotherNodeClaimsMaster() {
        Verdict v = decide(new Given().staticServers().silent(A).master(B).downAfter(Duration.ofSeconds(30))
                .routedBefore(routing(A, -1, null, Basis.STATIC)));
        assertThat(v.master()).as("a pause of A must not hand its clients to a node that merely claims master").isEqualTo(A);
        assertThat(v.warnings()).anyMatch(w -> w.startsWith("conflict: [" + B + "] say master while " + A + " is silent"));
    }

    @Test
    void staticModeTakesTheOnlyClaimantOnceTheSilentMasterIsPastDownAfter() {
        Verdict v = decide(new Given().staticServers().silent(A).unavailableFor(A, Duration.ofSeconds(31)).master(B)
                .downAfter(Duration.ofSeconds(30)).routedBefore(routing(A, -1, null, Basis.STATIC)));
        assertThat(v.master()).isEqualTo(B);
    }

    @Test
    void staticModeDropsAMasterThatRefusesConnectionsAtOnce() {
        Verdict v = decide(new Given().staticServers().down(A, "connection refused").replica(B, A, false)
                .downAfter(Duration.ofSeconds(30)).routedBefore(routing(A, -1, null, Basis.STATIC)));
        assertThat(v.hasMaster()).as("a crashed master is not busy: its clients wait for another").isFalse();
        assertThat(v.reason()).isEqualTo("no node answers ROLE master");
    }

    @Test
    void staticModeTakesTheOnlyClaimantAtOnceWhenTheMasterRefusesConnections() {
        Verdict v = decide(new Given().staticServers().down(A, "connection refused").master(B)
                .downAfter(Duration.ofSeconds(30)).routedBefore(routing(A, -1, null, Basis.STATIC)));
        assertThat(v.master()).isEqualTo(B);
    }

    @Test
    void staticModeDoesNotTakeABusyNodeItNeverRoutedTo() {
        Verdict v = decide(new Given().staticServers().loading(A).replica(B, A, true).downAfter(Duration.ofSeconds(30)));
        assertThat(v.hasMaster()).isFalse();
    }

    @Test
    void staticModeWithOneServerRoutesToItWhateverRoleItAnswers() {
        Verdict v = decide(new Given().staticServers().replica(A, B, true));
        assertThat(v.master()).as("nowhere else to send: as a replica it answers writes with its own -READONLY").isEqualTo(A);
        assertThat(v.basis()).isEqualTo(Basis.SOLE);
    }

    @Test
    void staticModeWithOneServerThatRefusesConnectionsHasNoMaster() {
        Verdict v = decide(new Given().staticServers().down(A, "connection refused"));
        assertThat(v.hasMaster()).isFalse();
    }
}
