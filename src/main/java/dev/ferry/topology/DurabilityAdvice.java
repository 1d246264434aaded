package dev.ferry.topology;

import java.util.List;
import java.util.Optional;

/**
 * Says what no front end can save: the writes an isolated master can still acknowledge before the
 * Sentinels' failover makes them vanish. With {@code min-replicas-to-write} the master stops accepting
 * writes once its replicas are silent for {@code min-replicas-max-lag} seconds; without it, it goes on
 * until Sentinel has failed over (down-after plus an election) and the old master is converted.
 */
public final class DurabilityAdvice {
    private DurabilityAdvice() {}

    public static Optional<String> of(NodeReport master, List<SentinelReport> sentinels) {
        if (master == null || !master.saysMaster() || master.minReplicasToWrite() < 0) return Optional.empty();
        long downAfter = sentinels.stream().mapToLong(SentinelReport::downAfterMillis).filter(d -> d > 0).max().orElse(-1);
        String failover = downAfter > 0
                ? "until the Sentinels fail over (down-after-milliseconds " + downAfter + " plus an election, about "
                        + (downAfter / 1000 + 1) + " s) and longer if it stays reachable to clients"
                : "until the Sentinels fail over and convert it";
        if (master.minReplicasToWrite() == 0) {
            return Optional.of("master " + master.node() + " runs without min-replicas-to-write: cut off from its replicas"
                    + " and Sentinels, it keeps acknowledging writes " + failover
                    + ", and those writes are lost; consider min-replicas-to-write 1 and min-replicas-max-lag 10");
        }
        return Optional.of("master " + master.node() + " has min-replicas-to-write " + master.minReplicasToWrite()
                + " and min-replicas-max-lag " + master.minReplicasMaxLag() + ": isolated, it stops accepting writes after about "
                + master.minReplicasMaxLag() + " s; writes it acknowledged in that window can still be lost");
    }
}
