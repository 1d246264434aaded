package dev.ferry.topology;

import dev.ferry.config.HostPort;

/** What the last check of a node said about its role. */
@FunctionalInterface
public interface NodeRoles {
    /** True when the node answered its last check as a replica: it no longer takes writes. */
    boolean isReplica(HostPort node);
}
