package dev.ferry.admin;

import dev.ferry.config.HostPort;
import dev.ferry.topology.NodeReport;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Since when each node has been in its current state (up or down, and its role). The topology keeps
 * only the latest check, so this remembers the first check that showed the state now in force.
 */
final class NodeStates {
    private record Key(String frontend, HostPort node) {}

    private record State(String word, Instant since) {}

    private final Map<Key, State> states = new ConcurrentHashMap<>();

    /** Notes one snapshot's node reports; call it often (every check round ideally) for precise times. */
    void observe(String frontend, List<NodeReport> nodes) {
        for (NodeReport r : nodes) {
            String word = word(r);
            Instant at = r.at() != null ? r.at() : Instant.now();
            states.compute(new Key(frontend, r.node()), (k, old) -> old != null && old.word.equals(word) ? old : new State(word, at));
        }
    }

    /** When the node entered the state this report shows (observing the report first, so never null). */
    Instant since(String frontend, NodeReport r) {
        observe(frontend, List.of(r));
        return states.get(new Key(frontend, r.node())).since;
    }

    private static String word(NodeReport r) {
        return r.up() ? r.role().name() : "DOWN";
    }
}
