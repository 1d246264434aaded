package dev.ferry.config;

/** How a frontend's client sessions use connections to the master. */
public enum ConnectionPolicy {
    /**
     * Plain commands of many sessions travel pipelined over a few shared connections per identity (user,
     * database, protocol); a session gets a connection of its own only while it holds connection state
     * (MULTI, WATCH, Pub/Sub, a blocking command...).
     */
    SHARED("shared"),
    /**
     * Every session has a connection of its own, as if it were connected to Redis directly: what a client
     * measures about its connection (CLIENT LIST, CLIENT ID, INFO clients) is exactly what it would see.
     */
    DEDICATED("dedicated");

    private final String key;

    ConnectionPolicy(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
