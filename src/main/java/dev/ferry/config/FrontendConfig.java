package dev.ferry.config;

import java.time.Duration;
import java.util.List;

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
 * @param tls              TLS toward clients, nodes and Sentinels ({@link FrontendTlsConfig#NONE}: plaintext)
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
        FrontendTlsConfig tls) {

    public static final Duration DEFAULT_WAIT_FOR_MASTER = Duration.ofSeconds(5);
    public static final Duration DEFAULT_FAILOVER_HOLD = Duration.ofSeconds(2);

    public FrontendConfig {
        sentinels = List.copyOf(sentinels);
        servers = List.copyOf(servers);
    }

    public boolean staticMode() {
        return sentinels.isEmpty();
    }
}
