package dev.ferry.topology;

import dev.ferry.config.HostPort;

/**
 * A replica a Sentinel leader announced it promoted ({@code +failover-state-wait-promotion} or
 * {@code +promoted-slave}) in a failover of master {@code of}. Evidence to act on only while the
 * Sentinels still name {@code of} and the replica itself answers ROLE master.
 */
public record Promotion(HostPort replica, HostPort of, HostPort announcedBy) {}
