package dev.ferry.topology;

import dev.ferry.config.HostPort;
import dev.ferry.config.ReplicaReads;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which replicas a replica frontend may read from, decided from the nodes' last checks: a replica qualifies
 * when it answers, replicates from the current master over a link that is up ({@code master_link_status:up};
 * not connecting, not syncing), and is within the lag bounds. A node that is loading, silent, busy, down, a
 * master, or following another node is out, with the reason. Pure: tested without sockets.
 */
final class ReplicaSelection {
    private final ReplicaReads policy;
    private final MasterOffsets offsets;
    private Set<HostPort> lastIn = Set.of();

    ReplicaSelection(ReplicaReads policy, long checkIntervalMillis) {
        this.policy = policy;
        long window = Math.max(policy.maxLag().map(d -> d.toMillis()).orElse(0L) * 4, 10 * checkIntervalMillis);
        this.offsets = new MasterOffsets(window);
    }

    /**
     * @param master the master now (or the one whose sessions are held while Sentinel promotes); null: none known
     */
    ReplicaSet select(HostPort master, Collection<NodeReport> nodes, long nowMillis) {
        NodeReport m = master == null ? null : nodes.stream().filter(r -> r.node().equals(master)).findFirst().orElse(null);
        if (m != null && m.saysMaster()) offsets.seen(master, m.offset(), nowMillis);
        List<ReplicaState> out = new ArrayList<>();
        for (NodeReport r : nodes) out.add(judge(master, m, r, nowMillis));
        out.sort((a, b) -> a.node().compareTo(b.node()));
        lastIn = out.stream().filter(ReplicaState::in).map(ReplicaState::node).collect(Collectors.toSet());
        return new ReplicaSet(true, master, out, policy.fallback() == ReplicaReads.Fallback.MASTER);
    }

    private ReplicaState judge(HostPort master, NodeReport m, NodeReport r, long nowMillis) {
        HostPort n = r.node();
        if (n.equals(master)) {
            return policy.fromMaster() && r.saysMaster() ? new ReplicaState(n, true, 0, 0, "the master (read-from-master)")
                    : ReplicaState.out(n, -1, -1, "the master (read-from-master: false)");
        }
        if (!r.up()) return ReplicaState.out(n, -1, -1, notAnswering(r));
        if (r.role() == Role.MASTER) return ReplicaState.out(n, -1, -1, "says master, and is not the current master");
        if (r.role() != Role.REPLICA) return ReplicaState.out(n, -1, -1, "answers ROLE " + r.role().word());
        if (master == null) {
            // A round between two masters (a handover, a promotion): no write is missed meanwhile, so a
            // replica that was in stays while its link is up; a new one waits for a master to measure against.
            return lastIn.contains(n) && r.linkUp() ? new ReplicaState(n, true, -1, -1, "kept: no master known this round")
                    : ReplicaState.out(n, -1, -1, "no master known to measure its lag against");
        }
        if (!master.equals(r.replicaOf())) return ReplicaState.out(n, -1, -1, "replicates from " + r.replicaOf() + ", not the master " + master);
        if (!r.linkUp()) return ReplicaState.out(n, -1, -1, "its link to the master is down (" + r.detail() + ")");
        if (m == null || !m.saysMaster() || m.offset() < 0 || r.offset() < 0) {
            return ReplicaState.out(n, -1, -1, "lag unknown: the master's offset was not read this round");
        }
        long bytes = Math.max(0, m.offset() - r.offset());
        long millis = offsets.lagMillis(r.offset(), nowMillis);
        if (policy.maxLagBytes().isPresent() && bytes > policy.maxLagBytes().getAsLong()) {
            return ReplicaState.out(n, bytes, millis, "behind by " + bytes + " bytes (max-lag-bytes " + policy.maxLagBytes().getAsLong() + ")");
        }
        if (policy.maxLag().isPresent() && millis > policy.maxLag().get().toMillis()) {
            return ReplicaState.out(n, bytes, millis, "behind by " + millis + " ms (max-lag " + policy.maxLag().get().toMillis() + " ms)");
        }
        return new ReplicaState(n, true, bytes, millis, "");
    }

    private static String notAnswering(NodeReport r) {
        return switch (r.liveness()) {
            case LOADING -> "loading the dataset";
            case BUSY -> "busy (" + r.detail() + ")";
            case SILENT -> "not answering checks (" + r.detail() + ")";
            default -> "down (" + r.detail() + ")";
        };
    }
}
