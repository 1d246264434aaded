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
 * @param waitForMaster    how long a command waits while no master is known before it gets -MASTERDOWN
 * @param failoverHold     how long client traffic is held when Sentinel starts promoting a replica
 * @param fence            whether Ferry demotes a reachable old master after a promotion (REPLICAOF)
 * @param connections      shared node connections (default) or one per client session
 * @param moveTimeout      how long a session leaving a demoted master waits for the replies still due
 *                         from it before it is closed
 * @param clientOutputLimit bytes of replies Ferry keeps for a client that does not read them before it
 *                         closes that client (Redis's client-output-buffer-limit, applied at the proxy)
 * @param clientInputLimit bytes of a client's commands Ferry keeps unanswered (to send again at a change of
 *                         master) before it stops reading from that client until replies drain
 * @param downAfter        a master that answers nothing, or only {@code -BUSY}, this long stops being master;
 *                         empty: only when it says so or the Sentinels promote another (the default with
 *                         Sentinels; static mode defaults to {@link #DEFAULT_STATIC_DOWN_AFTER})
 * @param tripwire         whether Ferry keeps a {@code BLPOP} blocked on the master to learn of a demotion at once
 * @param tls              TLS toward clients, nodes and Sentinels ({@link FrontendTlsConfig#NONE}: plaintext)
 * @param replicaReads     present for {@code role: replica}: sessions read from replicas within a lag bound
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
        ConnectionPolicy connections,
        Duration moveTimeout,
        long clientOutputLimit,
        long clientInputLimit,
        Optional<Duration> downAfter,
        boolean tripwire,
        FrontendTlsConfig tls,
        Optional<ReplicaReads> replicaReads) {

    public static final Duration DEFAULT_WAIT_FOR_MASTER = Duration.ofSeconds(5);
    public static final Duration DEFAULT_FAILOVER_HOLD = Duration.ofSeconds(2);
    public static final Duration DEFAULT_MOVE_TIMEOUT = Duration.ofSeconds(5);
    public static final long DEFAULT_CLIENT_OUTPUT_LIMIT = 64L * 1024 * 1024;
    public static final long DEFAULT_CLIENT_INPUT_LIMIT = 4L * 1024 * 1024;
    /** Sentinel's own default down-after-milliseconds: without Sentinels, nothing else decides a master is gone. */
    public static final Duration DEFAULT_STATIC_DOWN_AFTER = Duration.ofSeconds(30);

    /** A frontend with plaintext on every side. */
    public FrontendConfig(String name, HostPort bind, String masterName, List<HostPort> sentinels, List<HostPort> servers,
                          Credentials redisAuth, Credentials sentinelAuth, CheckConfig check, Duration waitForMaster,
                          Duration failoverHold, boolean fence, ConnectionPolicy connections, Duration moveTimeout,
                          long clientOutputLimit, long clientInputLimit, Optional<Duration> downAfter, boolean tripwire) {
        this(name, bind, masterName, sentinels, servers, redisAuth, sentinelAuth, check, waitForMaster, failoverHold, fence,
                connections, moveTimeout, clientOutputLimit, clientInputLimit, downAfter, tripwire, FrontendTlsConfig.NONE);
    }

    /** A master frontend (every session goes to the master). */
    public FrontendConfig(String name, HostPort bind, String masterName, List<HostPort> sentinels, List<HostPort> servers,
                          Credentials redisAuth, Credentials sentinelAuth, CheckConfig check, Duration waitForMaster,
                          Duration failoverHold, boolean fence, ConnectionPolicy connections, Duration moveTimeout,
                          long clientOutputLimit, long clientInputLimit, Optional<Duration> downAfter, boolean tripwire,
                          FrontendTlsConfig tls) {
        this(name, bind, masterName, sentinels, servers, redisAuth, sentinelAuth, check, waitForMaster, failoverHold, fence,
                connections, moveTimeout, clientOutputLimit, clientInputLimit, downAfter, tripwire, tls, Optional.empty());
    }

    public FrontendConfig {
        sentinels = List.copyOf(sentinels);
        servers = List.copyOf(servers);
    }

    /**
     * The tripwire is on where it spares clients errors: with Sentinels (the FAILOVER TO figures rest on it).
     * With static servers the first refused write starts a check and is sent again anyway, so the blocked
     * client it adds on the node buys nothing there.
     */
    public static boolean defaultTripwire(boolean staticMode) {
        return !staticMode;
    }

    /** Whether sessions read from replicas ({@code role: replica}). */
    public boolean readsFromReplicas() {
        return replicaReads.isPresent();
    }

    public boolean staticMode() {
        return sentinels.isEmpty();
    }
}
