package dev.ferry.topology;

import dev.ferry.config.HostPort;
import java.time.Instant;

/**
 * What one check of a Redis node found: AUTH, PING and ROLE, as HAProxy's tcp-check asks, plus the
 * replication link that ROLE shows on a replica.
 *
 * @param liveness   how it answered: PING and ROLE, {@code -BUSY}, {@code -LOADING}, nothing in time, or not at all
 * @param role       its ROLE; UNKNOWN unless it answered
 * @param replicaOf  the master a replica follows (as the replica names it), else null
 * @param linkUp     a replica's link to its master is {@code connected}
 * @param offset     replication offset (master: its own; replica: processed)
 * @param detail     why it did not answer, or a short note (never a password)
 * @param latencyMicros round trip of the PING (pipelined behind AUTH and CLIENT SETNAME on the check's connection)
 * @param minReplicasToWrite a master's {@code min-replicas-to-write} (-1 unknown: not a master, or CONFIG refused)
 * @param minReplicasMaxLag  a master's {@code min-replicas-max-lag} in seconds (-1 unknown)
 */
public record NodeReport(
        HostPort node, Liveness liveness, Role role, HostPort replicaOf, boolean linkUp, long offset,
        String detail, long latencyMicros, Instant at, int minReplicasToWrite, int minReplicasMaxLag) {

    public static NodeReport down(HostPort node, String why, Instant at) {
        return unanswered(node, Liveness.DOWN, why, at);
    }

    /** A check that got no ROLE: the node was busy, loading, silent or down. */
    public static NodeReport unanswered(HostPort node, Liveness liveness, String why, Instant at) {
        return new NodeReport(node, liveness, Role.UNKNOWN, null, false, -1, why, -1, at, -1, -1);
    }

    public static NodeReport master(HostPort node, long offset, Instant at) {
        return new NodeReport(node, Liveness.ANSWERS, Role.MASTER, null, false, offset, "", 0, at, -1, -1);
    }

    public static NodeReport replica(HostPort node, HostPort of, boolean linkUp, long offset, Instant at) {
        return new NodeReport(node, Liveness.ANSWERS, Role.REPLICA, of, linkUp, offset, "", 0, at, -1, -1);
    }

    /** The node answered PING and ROLE. */
    public boolean up() {
        return liveness == Liveness.ANSWERS;
    }

    public boolean saysMaster() {
        return up() && role == Role.MASTER;
    }
}
