package dev.ferry.topology;

import dev.ferry.config.HostPort;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Everything {@link MasterElection} decides from: the latest answers of the Sentinels and nodes, and
 * what Ferry remembers. Pure data, so decisions can be tested without sockets.
 *
 * @param configuredSentinels how many Sentinels the configuration lists (a majority is counted of these)
 * @param sentinels           the latest report of each Sentinel
 * @param nodes               the latest report of each node
 * @param previous            the verdict in force now
 * @param masterEpochs        for each node Ferry has routed to as master, the config epoch it had then
 * @param holdSinceEpoch      present while Sentinel is promoting a replica: the epoch when it began
 * @param promotion           a promotion a Sentinel leader announced, not yet reflected in the epochs
 * @param unavailableFor      for each node whose checks got no acceptable answer lately (nothing in time,
 *                            {@code -BUSY}, refused; {@code -LOADING} counts as an answer, as for Sentinel), for how long
 * @param downAfter           the operator's rule: a master unavailable this long stops being master (empty: only
 *                            when it says so or the Sentinels promote another)
 */
public record Observation(
        int configuredSentinels,
        List<SentinelReport> sentinels,
        Map<HostPort, NodeReport> nodes,
        Verdict previous,
        Map<HostPort, Long> masterEpochs,
        OptionalLong holdSinceEpoch,
        Optional<Promotion> promotion,
        Map<HostPort, Duration> unavailableFor,
        Optional<Duration> downAfter) {

    public Observation {
        sentinels = List.copyOf(sentinels);
        nodes = Map.copyOf(nodes);
        masterEpochs = Map.copyOf(masterEpochs);
        unavailableFor = Map.copyOf(unavailableFor);
    }

    public boolean staticMode() {
        return configuredSentinels == 0;
    }

    public NodeReport node(HostPort hp) {
        NodeReport r = nodes.get(hp);
        return r != null ? r : NodeReport.down(hp, "not checked yet", null);
    }
}
