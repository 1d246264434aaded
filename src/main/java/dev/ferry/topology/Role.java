package dev.ferry.topology;

import dev.ferry.resp.RoleReply;

/** What a node says it is in reply to {@code ROLE}. Redis's own words, so "slave" maps to REPLICA. */
public enum Role {
    MASTER, REPLICA, SENTINEL, UNKNOWN;

    /** UNKNOWN for a word Redis does not use and for a reply that is no ROLE at all. */
    public static Role of(RoleReply reply) {
        if (reply instanceof RoleReply.Master) return MASTER;
        if (reply instanceof RoleReply.Replica) return REPLICA;
        if (reply instanceof RoleReply.Sentinel) return SENTINEL;
        return UNKNOWN;
    }

    public String word() {
        return this == REPLICA ? "replica" : name().toLowerCase();
    }
}
