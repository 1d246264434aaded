package dev.ferry.topology;

/** Why Ferry routes where it does; shown in logs, on the stats page and in metrics. */
public enum Basis {
    /** A majority of the Sentinels (highest config epoch) names it and it answers ROLE master. */
    SENTINELS,
    /**
     * The Sentinels name a node that now replicates from this one, which says master: a handover made
     * outside Sentinel ({@code FAILOVER TO}). Sentinel will fail over again on its own.
     */
    HANDOVER,
    /**
     * The Sentinel leading a failover of the named master announced the promoted replica
     * ({@code +failover-state-wait-promotion}, {@code +promoted-slave}) and that replica answers ROLE
     * master; the Sentinels' epoch follows within a second. Followed at once so that no write goes to the
     * old master meanwhile.
     */
    PROMOTED,
    /** No Sentinel majority answers; the last agreed master still says master. */
    LAST_KNOWN,
    /** Static servers: the node that says master (the one Ferry had, when several claim it). */
    STATIC,
    /**
     * Static servers, just one: it gets the traffic whatever role it answers, as it would directly (there is
     * nowhere else to send it; as a replica it answers writes with its own {@code -READONLY}).
     */
    SOLE,
    /** No master can be routed to now. */
    NONE
}
