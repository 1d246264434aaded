package dev.ferry.topology;

import dev.ferry.config.HostPort;

/**
 * One node as the replica endpoint sees it after a check round.
 *
 * @param in        it qualifies: new sessions may go to it and its sessions stay
 * @param lagBytes  how far its processed replication offset is behind the master's (-1 unknown)
 * @param lagMillis how long ago the master had the oldest write it still lacks, to within a check interval (-1 unknown)
 * @param why       why it is out (or a note on why it is in: "the master, read-from-master")
 */
public record ReplicaState(HostPort node, boolean in, long lagBytes, long lagMillis, String why) {

    static ReplicaState out(HostPort node, long lagBytes, long lagMillis, String why) {
        return new ReplicaState(node, false, lagBytes, lagMillis, why);
    }
}
