package dev.ferry.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.config.HostPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Which hosts a check round asks, how it waits for them, and which nodes it learns. Scripted answers, no sockets. */
@Tag("unit")
class ProberTest {
    static final HostPort S1 = HostPort.parse("10.0.0.1:26379");
    static final HostPort S2 = HostPort.parse("10.0.0.2:26379");
    static final HostPort A = HostPort.parse("10.0.0.1:6379");
    static final HostPort B = HostPort.parse("10.0.0.2:6379");
    static final HostPort C = HostPort.parse("10.0.0.3:6379");
    static final Duration TIMEOUT = Duration.ofMillis(20);

    private final ExecutorService workers = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    /** The configured hosts and what each answers; {@link #prober()} builds the prober under test. */
    final class Given {
        final ScriptedChecks checks = new ScriptedChecks();
        final ManualLoop loop = new ManualLoop();
        final ManualTicker ticker = new ManualTicker();
        final List<String> roundsRequested = new ArrayList<>();
        final List<HostPort> sentinels = new ArrayList<>();
        final List<HostPort> servers = new ArrayList<>();

        Given sentinel(HostPort s, HostPort names, long epoch) {
            sentinels.add(s);
            checks.sentinel(s, names, epoch);
            return this;
        }

        Given sentinelNamingReplicas(HostPort s, HostPort names, List<HostPort> replicas) {
            sentinels.add(s);
            checks.sentinel(new SentinelReport(s, true, false, names, 1, false, false, replicas, List.of(), "", ScriptedChecks.AT, -1));
            return this;
        }

        Given server(HostPort n) {
            servers.add(n);
            return this;
        }

        Given master(HostPort n) {
            checks.node(NodeReport.master(n, 1, ScriptedChecks.AT));
            return this;
        }

        Given replica(HostPort n, HostPort of) {
            checks.node(NodeReport.replica(n, of, true, 1, ScriptedChecks.AT));
            return this;
        }

        Prober prober() {
            return new Prober("orders", sentinels, servers, TIMEOUT, checks, workers, loop, ticker, roundsRequested::add);
        }
    }

    @Test
    void aRoundAsksEveryConfiguredSentinelAndServerAndKeepsTheirAnswers() {
        Given g = new Given().sentinel(S1, A, 3).sentinel(S2, A, 3).server(A).master(A);
        Prober p = g.prober();
        p.probe();
        assertThat(p.sentinelReports()).extracting(SentinelReport::sentinel).containsExactly(S1, S2);
        assertThat(p.nodeReports().get(A).saysMaster()).isTrue();
    }

    @Test
    void theMasterAndReplicasTheSentinelsNameAreCheckedInTheSameRound() {
        Given g = new Given().sentinelNamingReplicas(S1, A, List.of(B, C)).master(A).replica(B, A).replica(C, A);
        Prober p = g.prober();
        p.probe();
        assertThat(p.nodeReports().keySet()).as("no server is configured: every node was learned from the Sentinel")
                .containsExactlyInAnyOrder(A, B, C);
        assertThat(p.saysReplica(B)).isTrue();
    }

    @Test
    void theMasterAReplicaFollowsIsLearnedFromTheReplica() {
        Given g = new Given().server(B).replica(B, A).master(A);
        Prober p = g.prober();
        p.probe();
        assertThat(p.nodeReports().get(A)).as("A is named only by B's ROLE").isNotNull();
        assertThat(p.nodeReports().get(A).saysMaster()).isTrue();
    }

    @Test
    void aNodeThatAnswersNothingWithinTheBudgetIsReportedAsTimingOut() {
        Given g = new Given().server(A).master(A);
        g.checks.hang(A);
        Prober p = g.prober();
        p.probe();
        assertThat(p.nodeReports().get(A).up()).isFalse();
        assertThat(p.nodeReports().get(A).detail()).isEqualTo("timeout");
    }

    @Test
    void aNodeThatDidNotAnswerLastTimeIsAskedInTheBackgroundWithoutHoldingTheRound() throws Exception {
        Given g = new Given().server(A).server(B).master(A).replica(B, A);
        g.checks.hang(B);
        Prober p = g.prober();
        p.probe();
        assertThat(p.nodeReports().get(B).up()).as("B hung through the first round").isFalse();

        p.probe();
        assertThat(p.nodeReports().get(B).up()).as("the second round did not wait for B").isFalse();
        assertThat(p.nodeReports().get(A).saysMaster()).isTrue();
        g.checks.release(B);
        g.loop.awaitAndRun(5000);
        assertThat(p.nodeReports().get(B).saysMaster()).as("B's background answer was applied on the loop").isFalse();
        assertThat(p.saysReplica(B)).isTrue();
        assertThat(g.roundsRequested).containsExactly("node " + B + " answers again");
    }

    @Test
    void aSilentHostHasAtMostOneBackgroundCheckAtATime() throws Exception {
        Given g = new Given().server(A);
        g.checks.hang(A);
        Prober p = g.prober();
        p.probe();
        int afterFirstRound = g.checks.timesAsked(A);
        p.probe();
        p.probe();
        p.probe();
        await().atMost(Duration.ofSeconds(5)).until(() -> g.checks.timesAsked(A) > afterFirstRound);
        Thread.sleep(100);  // time for any further background check to show
        assertThat(g.checks.timesAsked(A) - afterFirstRound).as("three rounds, one background check still hanging").isEqualTo(1);
        g.checks.release(A);
        g.loop.awaitAndRun(5000);
    }

    @Test
    void aSentinelThatDidNotAnswerIsAskedInTheBackgroundAndARoundFollowsItsReturn() throws Exception {
        Given g = new Given().sentinel(S1, A, 3).server(A).master(A);
        g.sentinels.add(S2);  // S2 refuses at first
        Prober p = g.prober();
        p.probe();
        assertThat(p.sentinelReports()).filteredOn(r -> r.sentinel().equals(S2)).allMatch(r -> !r.reachable());

        g.checks.sentinel(S2, A, 3);
        p.probe();
        g.loop.awaitAndRun(5000);
        assertThat(p.sentinelReports()).allMatch(SentinelReport::usable);
        assertThat(g.roundsRequested).containsExactly("Sentinel " + S2 + " answers again");
    }

    @Test
    void aNodeThatAnswersAsMasterIsNoReplica() {
        Given g = new Given().server(A).master(A);
        Prober p = g.prober();
        p.probe();
        assertThat(p.saysReplica(A)).isFalse();
        assertThat(p.saysReplica(B)).as("never checked").isFalse();
    }

    @Test
    void aBusyNodeIsUnavailableFromItsFirstBusyAnswer() throws Exception {
        Given g = new Given().server(A);
        g.checks.node(NodeReport.unanswered(A, Liveness.BUSY, "-BUSY", ScriptedChecks.AT));
        Prober p = g.prober();
        p.probe();
        g.ticker.advance(Duration.ofSeconds(3));
        p.probe();
        g.loop.awaitAndRun(5000);
        assertThat(p.unavailableFor()).as("Sentinel's last-ok-ping-reply: counted from the first -BUSY")
                .containsEntry(A, Duration.ofSeconds(3));
    }

    @Test
    void aLoadingNodeCountsAsAvailableAsForSentinel() {
        Given g = new Given().server(A);
        g.checks.node(NodeReport.unanswered(A, Liveness.LOADING, "LOADING the dataset", ScriptedChecks.AT));
        Prober p = g.prober();
        p.probe();
        assertThat(p.unavailableFor()).doesNotContainKey(A);
    }

    @Test
    void anAnswerEndsTheUnavailability() throws Exception {
        Given g = new Given().server(A);
        g.checks.node(NodeReport.unanswered(A, Liveness.SILENT, "timeout", ScriptedChecks.AT));
        Prober p = g.prober();
        p.probe();
        g.master(A);
        p.probe();
        g.loop.awaitAndRun(5000);
        assertThat(p.unavailableFor()).doesNotContainKey(A);
        assertThat(g.roundsRequested).containsExactly("node " + A + " answers again");
    }
}
