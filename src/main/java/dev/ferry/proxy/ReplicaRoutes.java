package dev.ferry.proxy;

import dev.ferry.config.HostPort;
import dev.ferry.topology.ReplicaSet;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * A replica frontend's routes after one check round: one per qualifying replica, and the master's for
 * the fallback. Immutable, read by every event loop. Every route here passes a refusal straight on: a
 * write sent to the replica endpoint gets Redis's own {@code -READONLY}, never sent again elsewhere.
 */
record ReplicaRoutes(ReplicaSet set, Map<HostPort, Router.Route> routes, Router.Route fallback) {

    static final ReplicaRoutes NONE = new ReplicaRoutes(ReplicaSet.OFF, Map.of(), null);

    /**
     * Where a session now on {@code current} reads: its replica while that qualifies; else the qualifying
     * one with the fewest sessions; else the master when the fallback allows (null: wait).
     */
    Router.Route pick(HostPort current, ToLongFunction<HostPort> sessionsOn) {
        if (current != null) {
            Router.Route r = routes.get(current);
            if (r != null) return r;
        }
        Router.Route best = null;
        long fewest = Long.MAX_VALUE;
        for (Router.Route r : routes.values()) {
            long n = sessionsOn.applyAsLong(r.node());
            if (n < fewest || n == fewest && r.node().compareTo(best.node()) < 0) {
                best = r;
                fewest = n;
            }
        }
        if (best != null) return best;
        return set.fallbackToMaster() ? fallback : null;
    }
}
