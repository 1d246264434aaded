package dev.ferry.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One Redis group served on one bind address.
 *
 * @param masterName       the Sentinel master name ({@code sentinel monitor <name> ...})
 * @param sentinels        Sentinels to ask; empty means static mode (like the seed's HAProxy backend)
 * @param servers          nodes checked besides those the Sentinels report
 * @param redisAuth        credentials for the Redis nodes (probes, fencing; clients AUTH themselves)
 * @param sentinelAuth     credentials for the Sentinels, if they require any
 * @param waitForMaster    how long a new client connection waits while no master is known
 * @param failoverHold     how long client traffic is held when Sentinel starts promoting a replica
 * @param fence            whether Ferry demotes a reachable old master after a promotion (REPLICAOF)
 * @param mode             Redis-aware sessions (default) or plain TCP forwarding
 * @param downAfter        a master that answers nothing, or only {@code -BUSY}, this long stops being master;
 *                         empty: only when it says so or the Sentinels promote another (the default with
 *                         Sentinels; static mode defaults to {@link #DEFAULT_STATIC_DOWN_AFTER})
 * @param tripwire         whether Ferry keeps a {@code BLPOP} blocked on the master to learn of a demotion at once
 */
public record FrontendConfig(
        String name,
        HostPort bind,
        String masterName,
        List<HostPort> sentinels,
        List<HostPort> servers,
        Credentials redisAuth,
        Credentials sentinelAuth,
        CheckConfig check,
        Duration waitForMaster,
        Duration failoverHold,
        boolean fence,
        ProxyMode mode,
        Optional<Duration> downAfter,
        boolean tripwire) {

    public static final Duration DEFAULT_WAIT_FOR_MASTER = Duration.ofSeconds(5);
    public static final Duration DEFAULT_FAILOVER_HOLD = Duration.ofSeconds(2);
    /** Sentinel's own default down-after-milliseconds: without Sentinels, nothing else decides a master is gone. */
    public static final Duration DEFAULT_STATIC_DOWN_AFTER = Duration.ofSeconds(30);

    public FrontendConfig {
        sentinels = List.copyOf(sentinels);
        servers = List.copyOf(servers);
    }

    /**
     * The tripwire is on where it spares clients errors: with Sentinels (the FAILOVER TO figures rest on it)
     * and in mode tcp, which passes -READONLY on. With static servers in mode redis the first refused write
     * starts a check and is sent again anyway, so the blocked client it adds on the node buys nothing there.
     */
    public static boolean defaultTripwire(boolean staticMode, ProxyMode mode) {
        return !staticMode || mode == ProxyMode.TCP;
    }

    public boolean staticMode() {
        return sentinels.isEmpty();
    }
}
