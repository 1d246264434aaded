package dev.ferry.proxy;

import dev.ferry.config.HostPort;
import dev.ferry.topology.Basis;
import dev.ferry.topology.NodeRoles;
import dev.ferry.topology.ReplicaSet;
import dev.ferry.topology.ReplicaState;
import dev.ferry.topology.TopologyListener;
import dev.ferry.topology.Verdict;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the topology's verdicts to client traffic: sessions send to the master of the current route;
 * when the master changes, every connection to the old one is retired in the same step (its sessions
 * move or are cut); while no master is known (or Sentinel is promoting one), sessions wait, bounded, and
 * are woken as soon as there is a route.
 */
public final class Router implements TopologyListener {
    private static final Logger log = LoggerFactory.getLogger(Router.class);

    /**
     * Where sessions send now; a new route object for every change of master. {@code passesRefusals}: a refusal
     * as by a replica is passed on, never sent again: the frontend's only server, whatever its role (there is
     * nowhere else to go), or any route of a replica frontend (a write there gets Redis's own -READONLY).
     */
    record Route(HostPort node, long generation, boolean passesRefusals) {}

    private final String frontend;
    private final Queue<Consumer<Route>> waiters = new ConcurrentLinkedQueue<>();
    private final Map<HostPort, TrafficStats> nodeStats = new ConcurrentHashMap<>();
    private final TrafficStats stats = new TrafficStats();
    private final List<BiConsumer<HostPort, Boolean>> onLeave = new CopyOnWriteArrayList<>();
    private volatile Route route;
    private volatile ReplicaRoutes replicas = ReplicaRoutes.NONE;
    private volatile Consumer<HostPort> onStaleMaster;
    private long generation;

    public Router(String frontend) {
        this.frontend = frontend;
    }

    /** The current route, or null while no master is known or traffic is held. */
    Route route() {
        return route;
    }

    /**
     * The route for a session now on {@code current} (null: on no node yet). A master frontend has one
     * route for every session; this is where a frontend serving reads from replicas picks one per session.
     */
    Route route(HostPort current) {
        ReplicaRoutes r = replicas;
        return r.set().enabled() ? r.pick(current, this::sessionsOn) : route;
    }

    /** A replica frontend's replicas now (for the stats); {@link ReplicaSet#OFF} for a master frontend. */
    public ReplicaSet replicas() {
        return replicas.set();
    }

    /**
     * Calls {@code then} at the next change of route (the caller found {@code seen} unusable). Called at
     * once when the route already changed since.
     */
    void waitForRoute(Consumer<Route> then, Route seen) {
        waiters.add(then);
        Route now = route(null);
        if (now != seen && waiters.remove(then)) then.accept(now);
    }

    /** Gives up waiting (the session closed); false when it was already woken. */
    boolean stopWaiting(Consumer<Route> waiter) {
        return waiter != null && waiters.remove(waiter);
    }

    /** Told (on the topology's thread) of a node that stopped being master; {@code demoted}: it answers as a replica. */
    void onLeave(BiConsumer<HostPort, Boolean> action) {
        onLeave.add(action);
    }

    void removeOnLeave(BiConsumer<HostPort, Boolean> action) {
        onLeave.remove(action);
    }

    /** Called by sessions when their node refuses a write as a replica: the topology should look now. */
    void staleMaster(HostPort node) {
        Consumer<HostPort> c = onStaleMaster;
        if (c != null) c.accept(node);
    }

    public void onStaleMaster(Consumer<HostPort> action) {
        this.onStaleMaster = action;
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

    /** Client sessions whose commands last went to this node. */
    public int sessionsOn(HostPort node) {
        TrafficStats s = nodeStats.get(node);
        return s == null ? 0 : (int) s.sessionsNow.sum();
    }

    /**
     * A replica frontend's replicas after a check round: a replica that stopped qualifying takes nothing new
     * and its sessions move (as off an old master: state set up again, reads in flight sent again); when
     * replicas qualify again, sessions that fell back to the master move to them.
     */
    @Override
    public synchronized void onReplicas(ReplicaSet set) {
        ReplicaRoutes before = replicas;
        if (!set.enabled()) {
            replicas = ReplicaRoutes.NONE;
            return;
        }
        Map<HostPort, Route> routes = new HashMap<>();
        for (HostPort n : set.in()) {
            Route r = before.routes().get(n);
            routes.put(n, r != null ? r : new Route(n, ++generation, true));
        }
        replicas = new ReplicaRoutes(set, Map.copyOf(routes), fallbackRoute(before.fallback()));
        for (HostPort n : before.routes().keySet()) {
            if (routes.containsKey(n)) continue;
            String why = set.nodes().stream().filter(st -> st.node().equals(n)).map(ReplicaState::why).findFirst().orElse("no longer checked");
            log.warn("[{}] replica {} is out: {}; its {} client sessions move", frontend, n, why, sessionsOn(n));
            leave(n);
        }
        for (ReplicaState st : set.nodes()) {
            if (st.in() && !before.routes().containsKey(st.node())) {
                log.info("[{}] replica {} is in (lag {} bytes, {} ms)", frontend, st.node(), st.lagBytes(), st.lagMillis());
            }
        }
        Route master = route;
        if (before.routes().isEmpty() && !routes.isEmpty() && master != null && !routes.containsKey(master.node())
                && before.set().enabled() && sessionsOn(master.node()) > 0) {
            log.info("[{}] replicas qualify again: sessions reading from the master {} move to them", frontend, master.node());
            leave(master.node());
        } else if (routes.isEmpty() && !before.routes().isEmpty()) {
            log.warn("[{}] no replica qualifies: {}", frontend, set.fallbackToMaster() ? "reading from the master" : "sessions wait");
        }
        if (!routes.isEmpty()) wakeWaiters();
    }

    /** The master as a replica frontend's fallback: a refusal there is passed on too. */
    private Route fallbackRoute(Route was) {
        Route m = route;
        if (m == null) return null;
        return was != null && was.node().equals(m.node()) && was.generation() == m.generation() ? was : new Route(m.node(), m.generation(), true);
    }

    /**
     * A replica leaves as an old master that now answers as a replica does: it cannot acknowledge a write,
     * so what is due from it may be passed on; reads in flight are sent again elsewhere at once.
     */
    private void leave(HostPort node) {
        for (BiConsumer<HostPort, Boolean> l : onLeave) l.accept(node, true);
    }

    @Override
    public synchronized void onVerdict(Verdict before, Verdict now, NodeRoles roles) {
        HostPort was = before.attached();
        HostPort next = now.attached();
        // A new basis for the same master (say, Sentinels lost their majority) is not a new route:
        // sessions keep their connections.
        boolean sole = now.basis() == Basis.SOLE;
        if (now.master() == null) route = null;
        else if (route == null || !route.node().equals(now.master()) || route.passesRefusals() != sole) {
            route = new Route(now.master(), ++generation, sole);
        }
        ReplicaRoutes r = replicas;
        if (r.set().enabled()) replicas = new ReplicaRoutes(r.set(), r.routes(), fallbackRoute(r.fallback()));
        // A replica frontend's sessions on a qualifying replica stay, whatever happens to the master.
        if (was != null && !was.equals(next) && !r.routes().containsKey(was)) {
            // A node that now answers as a replica (FAILOVER TO, REPLICAOF) can no longer acknowledge a
            // write, so replies still due from it may be passed on before a session moves.
            boolean demoted = now.basis() == Basis.HANDOVER || roles.isReplica(was);
            int n = sessionsOn(was);
            if (n > 0) log.warn("[{}] {} client sessions leave {}: it is no longer the master", frontend, n, was);
            for (BiConsumer<HostPort, Boolean> l : onLeave) l.accept(was, demoted);
        }
        wakeWaiters();
    }

    private void wakeWaiters() {
        Route now = route(null);
        Consumer<Route> w;
        int n = 0;
        while ((w = waiters.poll()) != null) {
            w.accept(now);
            n++;
        }
        if (n > 0 && now != null) log.info("[{}] {} waiting client sessions go to {}", frontend, n, now.node());
    }
}
