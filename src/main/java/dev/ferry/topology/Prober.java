package dev.ferry.topology;

import dev.ferry.config.HostPort;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks every Sentinel and node in parallel and keeps their latest answers. A host that did not answer last
 * time is asked in the background instead, so a partitioned one cannot hold every round for its whole
 * timeout; when it answers again a round is requested. Nodes the Sentinels or replicas name are added to
 * the checked set. Its state belongs to the topology's thread; background results are applied there.
 */
final class Prober {
    private static final Logger log = LoggerFactory.getLogger(Prober.class);

    private final String frontend;
    private final Checks checks;
    private final ExecutorService workers;
    private final Executor loop;
    private final Consumer<String> requestRound;
    private final long budgetMillis;
    private final Set<HostPort> sentinels;
    private final Set<HostPort> nodes = new LinkedHashSet<>();
    private final Map<HostPort, NodeReport> nodeReports = new HashMap<>();
    private final Map<HostPort, SentinelReport> sentinelReports = new LinkedHashMap<>();
    private final Set<HostPort> inBackground = new HashSet<>();
    private final Map<HostPort, Long> unavailableSince = new HashMap<>();
    private final Ticker ticker;
    private volatile boolean closed;

    /**
     * @param loop         the topology's thread, where background results are applied
     * @param requestRound asked for a round when a silent host answers again
     */
    Prober(String frontend, List<HostPort> sentinels, List<HostPort> servers, Duration timeout, Checks checks,
           ExecutorService workers, Executor loop, Ticker ticker, Consumer<String> requestRound) {
        this.frontend = frontend;
        this.ticker = ticker;
        this.sentinels = new LinkedHashSet<>(sentinels);
        this.nodes.addAll(servers);
        this.checks = checks;
        this.workers = workers;
        this.loop = loop;
        this.requestRound = requestRound;
        this.budgetMillis = timeout.toMillis() * 3 + 100;
    }

    /** Checks everyone, then once more those that Sentinels or replicas named for the first time. */
    void probe() {
        probeAll();
        if (learnNodes()) probeAll();
    }

    Map<HostPort, NodeReport> nodeReports() {
        return nodeReports;
    }

    List<SentinelReport> sentinelReports() {
        return List.copyOf(sentinelReports.values());
    }

    /**
     * For each node whose checks have had no acceptable answer since the last one that had (Sentinel's
     * {@code last-ok-ping-reply}: PONG or {@code -LOADING}), for how long.
     */
    Map<HostPort, Duration> unavailableFor() {
        Map<HostPort, Duration> out = new HashMap<>();
        long now = ticker.nanoTime();
        unavailableSince.forEach((node, since) -> out.put(node, Duration.ofNanos(now - since)));
        return out;
    }

    /** True when the node answered its last check as a replica: it no longer takes writes. */
    boolean saysReplica(HostPort node) {
        NodeReport r = nodeReports.get(node);
        return r != null && r.up() && r.role() == Role.REPLICA;
    }

    private void probeAll() {
        List<Future<SentinelReport>> s = new ArrayList<>();
        for (HostPort sentinel : sentinels) {
            SentinelReport last = sentinelReports.get(sentinel);
            if (last != null && !last.reachable()) {
                inBackground(sentinel, () -> checks.sentinel(sentinel), r -> {
                    noteSentinel(r);
                    if (r.reachable()) requestRound.accept("Sentinel " + r.sentinel() + " answers again");
                });
            } else {
                s.add(workers.submit(() -> checks.sentinel(sentinel)));
            }
        }
        Map<HostPort, Future<NodeReport>> n = new LinkedHashMap<>();
        for (HostPort node : nodes) {
            NodeReport last = nodeReports.get(node);
            if (last != null && !last.up()) {
                inBackground(node, () -> checks.node(node), r -> {
                    noteNode(r);
                    if (r.up()) requestRound.accept("node " + r.node() + " answers again");
                });
            } else {
                n.put(node, workers.submit(() -> checks.node(node)));
            }
        }
        for (Future<SentinelReport> f : s) {
            SentinelReport r = await(f);
            if (r != null) noteSentinel(r);
        }
        for (Map.Entry<HostPort, Future<NodeReport>> e : n.entrySet()) {
            NodeReport r = await(e.getValue());
            noteNode(r != null ? r : NodeReport.unanswered(e.getKey(), Liveness.SILENT, "timeout", Instant.now()));
        }
    }

    /** One check at a time per address; its result is applied on the loop thread. */
    private <R> void inBackground(HostPort key, Callable<R> check, Consumer<R> then) {
        if (!inBackground.add(key)) return;
        workers.execute(() -> {
            R result;
            try {
                result = check.call();
            } catch (Exception e) {
                result = null;
            }
            R r = result;
            if (!closed) loop.execute(() -> {
                inBackground.remove(key);
                if (r != null) then.accept(r);
            });
        });
    }

    private void noteSentinel(SentinelReport r) {
        SentinelReport before = sentinelReports.put(r.sentinel(), r);
        boolean wasUsable = before != null && before.usable();
        if (before == null || wasUsable != r.usable()) {
            if (r.usable()) log.info("[{}] Sentinel {} answers: names {} (config epoch {})", frontend, r.sentinel(), r.master(), r.configEpoch());
            else log.warn("[{}] Sentinel {} is not usable: {}", frontend, r.sentinel(), r.detail());
        }
    }

    private void noteNode(NodeReport r) {
        NodeReport before = nodeReports.put(r.node(), r);
        if (r.liveness().available()) unavailableSince.remove(r.node());
        else unavailableSince.putIfAbsent(r.node(), ticker.nanoTime());
        String was = before == null ? null : state(before);
        String now = state(r);
        if (!now.equals(was)) {
            if (r.up()) log.info("[{}] node {} is up: {}", frontend, r.node(), now);
            else if (r.liveness() == Liveness.DOWN) log.warn("[{}] node {} is down: {}", frontend, r.node(), r.detail());
            else log.warn("[{}] node {} does not answer its checks ({}): {}", frontend, r.node(), now, r.detail());
        }
    }

    private static String state(NodeReport r) {
        if (!r.up()) return r.liveness().word();
        if (r.role() == Role.REPLICA) return "replica of " + r.replicaOf() + (r.linkUp() ? ", link up" : ", link down");
        return r.role().word();
    }

    /** Adds the nodes Sentinels and replicas name to the checked set. Returns whether any was new. */
    private boolean learnNodes() {
        Set<HostPort> seen = new LinkedHashSet<>();
        for (SentinelReport r : sentinelReports.values()) {
            if (r.master() != null) seen.add(r.master());
            seen.addAll(r.replicas());
        }
        for (NodeReport r : nodeReports.values()) if (r.replicaOf() != null) seen.add(r.replicaOf());
        boolean added = false;
        for (HostPort hp : seen) {
            if (nodes.add(hp)) {
                log.info("[{}] learned node {}", frontend, hp);
                added = true;
            }
        }
        return added;
    }

    private <T> T await(Future<T> f) {
        try {
            return f.get(budgetMillis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            f.cancel(true);
            return null;
        }
    }

    void close() {
        closed = true;
    }
}
