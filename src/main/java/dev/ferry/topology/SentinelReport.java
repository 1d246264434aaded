package dev.ferry.topology;

import dev.ferry.config.HostPort;
import java.time.Instant;
import java.util.List;

/**
 * What one Sentinel answered about the master name: {@code SENTINEL GET-MASTER-ADDR-BY-NAME} and the
 * {@code config-epoch} and {@code flags} of {@code SENTINEL MASTER}, asked in one pipeline so the
 * address and epoch belong together, plus {@code INFO sentinel}'s TILT flag.
 *
 * @param master             the address it names, null when unreachable or the name is unknown
 * @param failoverInProgress its flags say {@code failover_in_progress} (it leads a failover now)
 * @param promotionPending   it leads a failover and has not yet seen the promotion: it still names the
 *                           master it is failing over (its record's address), so writes there are at risk
 * @param replicas           replicas it knows ({@code SENTINEL REPLICAS})
 * @param peers              other Sentinels it knows ({@code SENTINEL SENTINELS})
 * @param downAfterMillis    its {@code down-after-milliseconds} for this master (-1 unknown)
 */
public record SentinelReport(
        HostPort sentinel, boolean reachable, boolean tilt, HostPort master, long configEpoch,
        boolean failoverInProgress, boolean promotionPending, List<HostPort> replicas, List<HostPort> peers, String detail, Instant at, long downAfterMillis) {

    public SentinelReport {
        replicas = List.copyOf(replicas);
        peers = List.copyOf(peers);
    }

    public static SentinelReport unreachable(HostPort sentinel, String why, Instant at) {
        return new SentinelReport(sentinel, false, false, null, -1, false, false, List.of(), List.of(), why, at, -1);
    }

    public static SentinelReport names(HostPort sentinel, HostPort master, long epoch, Instant at) {
        return new SentinelReport(sentinel, true, false, master, epoch, false, false, List.of(), List.of(), "", at, -1);
    }

    /** Counts towards a majority: reachable, not in TILT, and it knows the master name. */
    public boolean usable() {
        return reachable && !tilt && master != null;
    }
}
