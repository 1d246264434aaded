package dev.ferry.topology;

import dev.ferry.config.HostPort;

/** Told of every routing change, on the topology's own thread. Implementations must not block. */
public interface TopologyListener {
    /**
     * Routing changed: master, held node or basis.
     *
     * @param roles what the last check of each node said, to tell a demoted node from one that may
     *              still take writes
     */
    void onVerdict(Verdict before, Verdict now, NodeRoles roles);

    /** A replica frontend's replicas after a check round (every round; before that round's verdict). */
    default void onReplicas(ReplicaSet replicas) {}

    /** A new master got traffic (also called at start for the first master). */
    default void onSwitch(SwitchRecord record) {}

    /** Ferry demoted an old master with REPLICAOF. */
    default void onFence(HostPort node, HostPort newMaster, boolean succeeded) {}

    /** A Sentinel event about this group arrived. */
    default void onEvent(SentinelEvent event) {}
}
