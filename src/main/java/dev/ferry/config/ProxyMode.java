package dev.ferry.config;

/** How a frontend carries client traffic. */
public enum ProxyMode {
    /**
     * Follows the Redis protocol: keeps client sessions across a change of master (their connection
     * state replayed), and sends a command the demoted master refused with {@code -READONLY} again to the
     * new one, so a planned failover costs clients no error.
     */
    REDIS("redis"),
    /** Forwards bytes unchanged and cuts every session of a node that stops being master (like HAProxy). */
    TCP("tcp");

    private final String key;

    ProxyMode(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
