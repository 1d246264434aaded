package dev.ferry.topology;

import dev.ferry.config.HostPort;
import java.util.List;

/**
 * Which replicas a replica frontend reads from now, and why each other node is not one of them.
 * Published after every check round; {@link #OFF} for a frontend that routes to the master only.
 *
 * @param enabled         the frontend reads from replicas ({@code role: replica})
 * @param master          the master lag is measured against (null: none known)
 * @param nodes           every node checked, in or out, in address order
 * @param fallbackToMaster while none qualifies, sessions read from the master (else they wait, then get an error)
 */
public record ReplicaSet(boolean enabled, HostPort master, List<ReplicaState> nodes, boolean fallbackToMaster) {

    public static final ReplicaSet OFF = new ReplicaSet(false, null, List.of(), false);

    public ReplicaSet {
        nodes = List.copyOf(nodes);
    }

    /** The nodes that qualify. */
    public List<HostPort> in() {
        return nodes.stream().filter(ReplicaState::in).map(ReplicaState::node).toList();
    }

    /** No replica qualifies and sessions read from the master meanwhile. */
    public boolean fallingBack() {
        return enabled && fallbackToMaster && in().isEmpty();
    }
}
