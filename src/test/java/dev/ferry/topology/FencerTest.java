package dev.ferry.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.HostPort;
import dev.ferry.resp.ErrorReply;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** When Ferry demotes an old master, what it sends, and how often. Scripted nodes, no sockets. */
@Tag("unit")
class FencerTest {
    static final HostPort A = HostPort.parse("10.0.0.1:6379");
    static final HostPort B = HostPort.parse("10.0.0.2:6379");
    static final Verdict B_AT_4 = new Verdict(B, null, 4, B, Basis.SENTINELS, "Sentinels name B", List.of(), Set.of(A));

    /** Both nodes and what they answer; the fencer runs its I/O on the test's thread and reports to the loop. */
    static final class Given {
        final ScriptedChecks checks = new ScriptedChecks();
        final ManualLoop loop = new ManualLoop();
        final ManualTicker ticker = new ManualTicker();
        final List<String> outcomes = new ArrayList<>();
        final Fencer fencer = new Fencer("orders", checks, Runnable::run, loop, ticker,
                (old, master, ok) -> outcomes.add(old + "->" + master + (ok ? " ok" : " failed")));

        Given master(HostPort n) {
            checks.node(NodeReport.master(n, 1, ScriptedChecks.AT));
            return this;
        }

        Given replica(HostPort n, HostPort of) {
            checks.node(NodeReport.replica(n, of, true, 1, ScriptedChecks.AT));
            return this;
        }

        Given fence() {
            fencer.fence(A, B_AT_4, 3L);
            loop.runPending();
            return this;
        }
    }

    @Test
    void anOldMasterThatStillSaysMasterIsToldToReplicateTheNewOne() {
        Given g = new Given().master(A).master(B).fence();
        assertThat(g.checks.commands).containsExactly(A + " REPLICAOF 10.0.0.2 6379");
        assertThat(g.outcomes).containsExactly(A + "->" + B + " ok");
    }

    @Test
    void nothingIsSentWhenAFreshCheckShowsTheOldMasterAlreadyDemoted() {
        Given g = new Given().replica(A, B).master(B).fence();
        assertThat(g.checks.commands).as("the verdict's report was stale").isEmpty();
        assertThat(g.outcomes).isEmpty();
    }

    @Test
    void nothingIsSentWhenAFreshCheckNoLongerShowsTheNewMasterAsMaster() {
        Given g = new Given().master(A).replica(B, A).fence();
        assertThat(g.checks.commands).isEmpty();
    }

    @Test
    void aFenceThatSentNothingMayBeTriedAgainAtOnce() {
        Given g = new Given().replica(A, B).master(B).fence();
        g.master(A).fence();
        assertThat(g.checks.commands).as("the first attempt sent nothing, so no rate limit applies").hasSize(1);
    }

    @Test
    void aNodeIsToldAtMostOnceEveryTenSeconds() {
        Given g = new Given().master(A).master(B).fence();
        g.ticker.advance(Duration.ofSeconds(9));
        g.fence();
        assertThat(g.checks.commands).as("9 s after the first REPLICAOF").hasSize(1);
        g.ticker.advance(Duration.ofSeconds(1));
        g.fence();
        assertThat(g.checks.commands).as("10 s after the first REPLICAOF").hasSize(2);
    }

    @Test
    void aRefusedReplicaofIsReportedAsFailedAndNotRetriedWithinTenSeconds() {
        Given g = new Given().master(A).master(B);
        g.checks.commandReply = new ErrorReply("NOPERM this user has no permissions to run the 'replicaof' command");
        g.fence();
        g.ticker.advance(Duration.ofSeconds(5));
        g.fence();
        assertThat(g.outcomes).containsExactly(A + "->" + B + " failed");
        assertThat(g.checks.commands).as("an ACL refusal must not be repeated every round").hasSize(1);
    }

    @Test
    void aConnectionThatFailsDuringReplicaofCountsAsAnAttempt() {
        Given g = new Given().master(A).master(B);
        g.checks.commandFailure = new IOException("connection reset");
        g.fence();
        assertThat(g.outcomes).containsExactly(A + "->" + B + " failed");
        g.fence();
        assertThat(g.checks.commands).as("its outcome is unknown, so it waits the 10 s like any attempt").hasSize(1);
    }
}
