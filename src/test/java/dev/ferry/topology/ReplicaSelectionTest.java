package dev.ferry.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.HostPort;
import dev.ferry.config.ReplicaReads;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Which replicas a replica frontend reads from, and why the others are out. No sockets. */
class ReplicaSelectionTest {
    static final HostPort M = HostPort.parse("10.0.0.1:6379");
    static final HostPort R1 = HostPort.parse("10.0.0.2:6379");
    static final HostPort R2 = HostPort.parse("10.0.0.3:6379");
    static final HostPort OTHER = HostPort.parse("10.0.0.9:6379");
    static final Instant AT = Instant.parse("2026-12-07T12:00:00Z");

    private static ReplicaReads policy(long maxBytes, long maxLagMillis, boolean fromMaster) {
        return new ReplicaReads(maxBytes < 0 ? OptionalLong.empty() : OptionalLong.of(maxBytes),
                maxLagMillis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(maxLagMillis)), ReplicaReads.Fallback.MASTER, fromMaster);
    }

    private final ReplicaSelection selection = new ReplicaSelection(policy(-1, 1000, false), 1000);

    static NodeReport master(long offset) {
        return NodeReport.master(M, offset, AT);
    }

    static NodeReport replica(HostPort n, long offset) {
        return NodeReport.replica(n, M, true, offset, AT);
    }

    static ReplicaState state(ReplicaSet s, HostPort n) {
        return s.nodes().stream().filter(x -> x.node().equals(n)).findFirst().orElseThrow();
    }

    @Test
    void replicasOfTheMasterWithTheirLinkUpAndCaughtUpQualify() {
        ReplicaSet s = selection.select(M, List.of(master(100), replica(R1, 100), replica(R2, 90)), 0);
        assertThat(s.in()).containsExactly(R1, R2);
        assertThat(state(s, R2).lagBytes()).isEqualTo(10);
        assertThat(state(s, M).in()).as("the master reads only with read-from-master").isFalse();
    }

    @Test
    void aReplicaWhoseLinkIsDownOrSyncingIsOut() {
        NodeReport cut = new NodeReport(R1, Liveness.ANSWERS, Role.REPLICA, M, false, 100, "link connect", 0, AT, -1, -1);
        ReplicaSet s = selection.select(M, List.of(master(100), cut, replica(R2, 100)), 0);
        assertThat(s.in()).containsExactly(R2);
        assertThat(state(s, R1).why()).isEqualTo("its link to the master is down (link connect)");
    }

    @Test
    void aReplicaLoadingSilentOrDownIsOut() {
        ReplicaSet s = selection.select(M, List.of(master(100), NodeReport.unanswered(R1, Liveness.LOADING, "LOADING", AT),
                NodeReport.unanswered(R2, Liveness.SILENT, "timeout", AT)), 0);
        assertThat(s.in()).isEmpty();
        assertThat(state(s, R1).why()).isEqualTo("loading the dataset");
        assertThat(state(s, R2).why()).isEqualTo("not answering checks (timeout)");
        assertThat(s.fallingBack()).isTrue();
    }

    @Test
    void aPromotedReplicaAndOneFollowingAnotherNodeAreOut() {
        ReplicaSet s = selection.select(M, List.of(master(100), NodeReport.master(R1, 100, AT),
                NodeReport.replica(R2, OTHER, true, 100, AT)), 0);
        assertThat(s.in()).isEmpty();
        assertThat(state(s, R1).why()).isEqualTo("says master, and is not the current master");
        assertThat(state(s, R2).why()).isEqualTo("replicates from 10.0.0.9:6379, not the master 10.0.0.1:6379");
    }

    @Test
    void aReplicaFurtherBehindThanMaxLagBytesIsOut() {
        ReplicaSelection bytes = new ReplicaSelection(policy(1000, -1, false), 1000);
        ReplicaSet s = bytes.select(M, List.of(master(5000), replica(R1, 4500), replica(R2, 3000)), 0);
        assertThat(s.in()).containsExactly(R1);
        assertThat(state(s, R2).why()).isEqualTo("behind by 2000 bytes (max-lag-bytes 1000)");
    }

    @Test
    void aReplicaMissingWritesOlderThanMaxLagIsOutAndComesBackOnceCaughtUp() {
        // The master moves on every round; R1 stays at 100 from t=0.
        assertThat(selection.select(M, List.of(master(100), replica(R1, 100)), 0).in()).containsExactly(R1);
        assertThat(selection.select(M, List.of(master(200), replica(R1, 100)), 500).in()).as("500 ms behind").containsExactly(R1);
        ReplicaSet late = selection.select(M, List.of(master(300), replica(R1, 100)), 1600);
        assertThat(late.in()).isEmpty();
        assertThat(state(late, R1).lagMillis()).isEqualTo(1100);
        assertThat(state(late, R1).why()).isEqualTo("behind by 1100 ms (max-lag 1000 ms)");
        assertThat(selection.select(M, List.of(master(300), replica(R1, 300)), 1700).in()).containsExactly(R1);
    }

    @Test
    void aReplicaWithItsLinkUpButNoNewWritesIsNotLagging() {
        selection.select(M, List.of(master(100), replica(R1, 100)), 0);
        ReplicaSet s = selection.select(M, List.of(master(100), replica(R1, 100)), 60_000);
        assertThat(state(s, R1).lagMillis()).isZero();
        assertThat(s.in()).containsExactly(R1);
    }

    @Test
    void withReadFromMasterThePromotedNodeStaysIn() {
        ReplicaSelection both = new ReplicaSelection(policy(-1, 1000, true), 1000);
        ReplicaSet s = both.select(M, List.of(master(100), replica(R1, 100)), 0);
        assertThat(s.in()).containsExactly(M, R1);
    }

    @Test
    void withNoMasterKnownNoReplicaCanBeMeasured() {
        ReplicaSet s = selection.select(null, List.of(replica(R1, 100)), 0);
        assertThat(s.in()).isEmpty();
        assertThat(state(s, R1).why()).isEqualTo("no master known to measure its lag against");
    }

    @Test
    void aReplicaThatWasInStaysWhileNoMasterIsKnownAsLongAsItsLinkIsUp() {
        selection.select(M, List.of(master(100), replica(R1, 100), replica(R2, 100)), 0);
        NodeReport cut = new NodeReport(R2, Liveness.ANSWERS, Role.REPLICA, M, false, 100, "link connect", 0, AT, -1, -1);
        ReplicaSet s = selection.select(null, List.of(replica(R1, 100), cut), 100);
        assertThat(s.in()).containsExactly(R1);
        assertThat(state(s, R2).in()).isFalse();
    }
}
