package dev.ferry.proxy;

import dev.ferry.config.HostPort;
import dev.ferry.topology.Basis;
import dev.ferry.topology.NodeRoles;
import dev.ferry.topology.TopologyListener;
import dev.ferry.topology.Verdict;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the topology's verdicts to client traffic: new connections go to the master; when it changes,
 * every session on the old node is cut in the same step; while Sentinel promotes a replica they are held;
 * while no master is known, new connections wait (bounded) and are connected as soon as one is.
 */
public final class Router implements TopologyListener {
    private static final Logger log = LoggerFactory.getLogger(Router.class);

    /** Where new sessions go; the generation tells a session that connected just before a change. */
    record Route(HostPort node, long generation) {}

    private final String frontend;
    private final SessionRegistry sessions = new SessionRegistry();
    private final Queue<Consumer<Route>> waiters = new ConcurrentLinkedQueue<>();
    private final Map<HostPort, TrafficStats> nodeStats = new ConcurrentHashMap<>();
    private final TrafficStats stats = new TrafficStats();
    private volatile Route route;
    private volatile Consumer<HostPort> onStaleMaster;
    private long generation;

    public Router(String frontend) {
        this.frontend = frontend;
    }

    Route route() {
        return route;
    }

    /** Runs {@code then} with a route now, or once one is known; returns false when it must wait. */
    boolean routeOrWait(Consumer<Route> then) {
        return routeOrWait(then, null);
    }

    /**
     * Like {@link #routeOrWait(Consumer)}, but a route to {@code avoid} (a node that just refused a write)
     * does not count now; a later verdict may still hand it over, and the caller checks again.
     */
    boolean routeOrWait(Consumer<Route> then, HostPort avoid) {
        Route r = route;
        if (r != null && !r.node().equals(avoid)) {
            then.accept(r);
            return true;
        }
        waiters.add(then);
        Route again = route;
        if (again != null && !again.node().equals(avoid) && waiters.remove(then)) {
            then.accept(again);
            return true;
        }
        return false;
    }

    /** Gives up waiting (timeout or client gone); false when it was already handed a route. */
    boolean stopWaiting(Consumer<Route> waiter) {
        return waiters.remove(waiter);
    }

    /** Called by sessions when their node refuses a write as a replica: the topology should look now. */
    void staleMaster(HostPort node) {
        Consumer<HostPort> c = onStaleMaster;
        if (c != null) c.accept(node);
    }

    public void onStaleMaster(Consumer<HostPort> action) {
        this.onStaleMaster = action;
    }

    boolean isCurrent(Route r) {
        return r == route;
    }

    SessionRegistry sessions() {
        return sessions;
    }

    public TrafficStats stats() {
        return stats;
    }

    public TrafficStats nodeStats(HostPort node) {
        return nodeStats.computeIfAbsent(node, n -> new TrafficStats());
    }

    public Map<HostPort, TrafficStats> allNodeStats() {
        return Map.copyOf(nodeStats);
    }

    public int sessionsOn(HostPort node) {
        return sessions.count(node);
    }

    @Override
    public synchronized void onVerdict(Verdict before, Verdict now, NodeRoles roles) {
        HostPort was = before.attached();
        HostPort next = now.attached();
        // A new basis for the same master (say, Sentinels lost their majority) is not a new route:
        // sessions connecting meanwhile stay valid.
        if (now.master() == null) route = null;
        else if (route == null || !route.node().equals(now.master())) route = new Route(now.master(), ++generation);
        if (was != null && !was.equals(next)) {
            // A node that now answers as a replica (FAILOVER TO, REPLICAOF) can no longer acknowledge a
            // write, so replies still due from it may be passed on before a session moves.
            boolean demoted = now.basis() == Basis.HANDOVER || roles.isReplica(was);
            int n = sessions.leave(was, demoted);
            if (n > 0) log.warn("[{}] {} client sessions leave {}: it is no longer the master", frontend, n, was);
        }
        if (now.held() != null) sessions.hold(now.held());
        if (now.master() != null) {
            sessions.release(now.master());
            Consumer<Route> w;
            int n = 0;
            while ((w = waiters.poll()) != null) {
                w.accept(route);
                n++;
            }
            if (n > 0) log.info("[{}] {} waiting client connections go to {}", frontend, n, now.master());
        }
    }
}
