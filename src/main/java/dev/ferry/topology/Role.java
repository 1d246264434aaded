package dev.ferry.topology;

/** What a node says it is in reply to {@code ROLE}. Redis's own words, so "slave" maps to REPLICA. */
public enum Role {
    MASTER, REPLICA, SENTINEL, UNKNOWN;

    public static Role parse(String word) {
        return switch (word == null ? "" : word) {
            case "master" -> MASTER;
            case "slave", "replica" -> REPLICA;
            case "sentinel" -> SENTINEL;
            default -> UNKNOWN;
        };
    }

    public String word() {
        return this == REPLICA ? "replica" : name().toLowerCase();
    }
}
