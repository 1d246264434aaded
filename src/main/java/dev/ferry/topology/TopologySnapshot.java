package dev.ferry.topology;

import java.util.List;

/**
 * What one frontend's topology knows now, for the stats page, {@code ferry check} and metrics.
 * Immutable; a new one is published after every check round. {@code advice} says what no front end
 * can save (see {@link DurabilityAdvice}). {@code replicas}: a replica frontend's replicas ({@link ReplicaSet#OFF} otherwise).
 */
public record TopologySnapshot(
        String frontend,
        String masterName,
        Verdict verdict,
        List<NodeReport> nodes,
        List<SentinelReport> sentinels,
        List<SwitchRecord> switches,
        List<String> recentEvents,
        long rounds,
        long fences,
        long sentinelEvents,
        List<String> advice,
        ReplicaSet replicas) {

    public TopologySnapshot {
        nodes = List.copyOf(nodes);
        sentinels = List.copyOf(sentinels);
        switches = List.copyOf(switches);
        recentEvents = List.copyOf(recentEvents);
        advice = List.copyOf(advice);
    }
}
