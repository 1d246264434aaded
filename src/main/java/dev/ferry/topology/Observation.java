package dev.ferry.topology;

import dev.ferry.config.HostPort;
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
 */
public record Observation(
        int configuredSentinels,
        List<SentinelReport> sentinels,
        Map<HostPort, NodeReport> nodes,
        Verdict previous,
        Map<HostPort, Long> masterEpochs,
        OptionalLong holdSinceEpoch,
        Optional<Promotion> promotion) {

    public Observation {
        sentinels = List.copyOf(sentinels);
        nodes = Map.copyOf(nodes);
        masterEpochs = Map.copyOf(masterEpochs);
    }

    public boolean staticMode() {
        return configuredSentinels == 0;
    }

    public NodeReport node(HostPort hp) {
        NodeReport r = nodes.get(hp);
        return r != null ? r : NodeReport.down(hp, "not checked yet", null);
    }
}
