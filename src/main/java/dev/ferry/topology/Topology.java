package dev.ferry.topology;

import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
import dev.ferry.resp.Connector;
import dev.ferry.resp.ErrorReply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is master for one frontend, kept current. Check rounds ask every Sentinel and every node in
 * parallel, then {@link MasterElection} decides; routing changes are applied and logged here, once.
 * Rounds run every check interval, and at once on a Sentinel event or when the tripwire on the master
 * fires; while no master is known or traffic is held, every 50 ms.
 * All state changes happen on one thread (the topology's), so no locks guard the decision.
 */
public final class Topology implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Topology.class);
    private static final Duration UNSETTLED_INTERVAL = Duration.ofMillis(50);
    private static final int HISTORY = 20;
    /** How long an announced promotion counts as evidence; the Sentinels' epoch confirms it well before. */
    private static final Duration PROMOTION_EVIDENCE = Duration.ofSeconds(10);

    private final FrontendConfig config;
    private final MasterElection election = new MasterElection();
    private final ScheduledExecutorService loop;
    private final ExecutorService probes;
    private final Map<HostPort, SentinelProbe> sentinelProbes = new LinkedHashMap<>();
    private final Map<HostPort, NodeProbe> nodeProbes = new LinkedHashMap<>();
    private final List<SentinelSubscriber> subscribers = new ArrayList<>();
    private final Tripwire tripwire;
    private final List<TopologyListener> listeners = new CopyOnWriteArrayList<>();

    // Owned by the loop thread.
    private final Map<HostPort, NodeReport> nodeReports = new HashMap<>();
    private final Map<HostPort, SentinelReport> sentinelReports = new LinkedHashMap<>();
    private final Map<HostPort, Long> masterEpochs = new HashMap<>();
    private final Deque<SwitchRecord> switches = new ArrayDeque<>();
    private final Deque<String> events = new ArrayDeque<>();
    private final Set<String> warned = new HashSet<>();
    private final Map<HostPort, Instant> lastFence = new HashMap<>();
    private final Set<HostPort> backgroundProbes = new HashSet<>();
    private Verdict verdict = Verdict.INITIAL;
    private HostPort lastMaster;
    private long masterLostAtNanos = System.nanoTime();
    private final FailoverHold hold = new FailoverHold();
    private Promotion promotion;
    private long promotionSeenNanos;
    private long rounds;
    private long roundStartNanos;
    private long fences;
    private long eventCount;
    private ScheduledFuture<?> next;
    private boolean roundQueued;
    private volatile TopologySnapshot snapshot;
    private volatile boolean closed;

    public Topology(FrontendConfig config) {
        this.config = config;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ferry-" + config.name() + "-topology"));
        this.probes = Executors.newCachedThreadPool(r -> daemon(r, "ferry-" + config.name() + "-probe"));
        Connector toSentinels = Connector.toSentinels(config);
        for (HostPort s : config.sentinels()) {
            sentinelProbes.put(s, new SentinelProbe(s, config.masterName(), toSentinels));
            subscribers.add(new SentinelSubscriber(config.name(), s, config.masterName(), toSentinels,
                    ev -> loop.execute(() -> onEvent(ev))));
        }
        for (HostPort n : config.servers()) nodeProbes.put(n, new NodeProbe(n, Connector.toNodes(config)));
        this.tripwire = new Tripwire(config.name(), Connector.toNodes(config), why -> requestRound("tripwire: " + why));
        this.snapshot = buildSnapshot();
    }

    public void addListener(TopologyListener l) {
        listeners.add(l);
    }

    public FrontendConfig config() {
        return config;
    }

    public void start() {
        subscribers.forEach(SentinelSubscriber::start);
        tripwire.start();
        requestRound("start");
    }

    public TopologySnapshot snapshot() {
        return snapshot;
    }

    /** Runs one check round now and waits for it (for {@code ferry check} and tests). */
    public TopologySnapshot checkNow() throws Exception {
        loop.submit(() -> round("check")).get();
        return snapshot;
    }

    /**
     * For a planned failover: holds client traffic to the current master (sessions paused, new connections
     * wait) for at most {@code max}, until a promotion is followed or {@link #releaseHold} is called.
     * Returns the verdict in force when the hold began.
     */
    public Verdict holdForPlannedFailover(String why, Duration max) throws Exception {
        return loop.submit(() -> {
            hold.allowAgain();
            startHold(why, max);
            decide();
            snapshot = buildSnapshot();
            return verdict;
        }).get();
    }

    /** Ends a hold early (a planned failover that rolled back). */
    public void releaseHold() throws Exception {
        loop.submit(() -> {
            if (hold.held()) log.warn("[{}] hold released", config.name());
            hold.end();
            round("hold released");
        }).get();
    }

    /**
     * Evidence of a promotion observed by a planned failover (the same evidence a Sentinel leader's
     * {@code +failover-state-wait-promotion} gives); a round follows at once.
     */
    public void notePromotion(HostPort replica, HostPort of, HostPort announcedBy) {
        loop.execute(() -> {
            promotion = new Promotion(replica, of, announcedBy);
            promotionSeenNanos = System.nanoTime();
            round("promotion of " + replica + " observed");
        });
    }

    /** Asks for a round as soon as possible; rounds requested while one is queued coalesce. */
    public void requestRound(String why) {
        if (closed) return;
        loop.execute(() -> {
            if (roundQueued) return;
            roundQueued = true;
            loop.execute(() -> {
                roundQueued = false;
                round(why);
            });
        });
    }

    private void onEvent(SentinelEvent ev) {
        eventCount++;
        remember(events, Instant.now() + " " + ev.from() + " " + ev, HISTORY);
        log.info("[{}] Sentinel {}: {}", config.name(), ev.from(), ev);
        HostPort failingOver = failingOver(ev);
        if (ev.startsPromotion() && failingOver != null && failingOver.equals(verdict.named())) {
            startHold("Sentinel " + ev.from() + " " + ev.name());
        }
        if (ev.announcesPromoted() && failingOver != null) {
            promotion = new Promotion(ev.subject(), failingOver, ev.from());
            promotionSeenNanos = System.nanoTime();
        }
        if (ev.endsFailover()) promotion = null;
        listeners.forEach(l -> l.onEvent(ev));
        // Coalesced: a burst of events (a failover publishes a dozen) costs one round, not a backlog.
        requestRound("event " + ev.name());
    }

    /** The master being failed over, from the event's {@code @ <name> <ip> <port>} part (null if none). */
    private HostPort failingOver(SentinelEvent ev) {
        return ev.masterOf(config.masterName());
    }

    private void startHold(String why) {
        startHold(why, config.failoverHold());
    }

    private void startHold(String why, Duration max) {
        // Nothing to hold, already held once at this epoch, or the promotion is already being followed.
        if (verdict.attached() == null || verdict.basis() == Basis.PROMOTED || !hold.start(verdict.epoch(), max)) return;
        log.warn("[{}] {}: holding client traffic to {} until the promoted replica is confirmed (at most {} ms)",
                config.name(), why, verdict.attached(), max.toMillis());
    }

    private void round(String why) {
        if (closed) return;
        if (next != null) next.cancel(false);
        rounds++;
        roundStartNanos = System.nanoTime();
        if (!"interval".equals(why)) log.debug("[{}] check round: {}", config.name(), why);
        try {
            probeAll();
            // Sentinels or replicas may have named nodes not checked yet: check those before deciding.
            if (learnNodes()) probeAll();
            leaderHold();
            decide();
        } catch (RuntimeException e) {
            log.error("[{}] check round failed: {}", config.name(), e.toString());
        }
        snapshot = buildSnapshot();
        boolean unsettled = !verdict.hasMaster() || holdActive();
        long delay = unsettled ? UNSETTLED_INTERVAL.toMillis() : config.check().interval().toMillis();
        if (!closed) next = loop.schedule(() -> round("interval"), delay, TimeUnit.MILLISECONDS);
    }

    /**
     * Asks every Sentinel and node in parallel and waits for those that answered last time. Those that
     * did not are asked in the background: a partitioned host would otherwise hold every round (and
     * every Sentinel event behind it) for its whole timeout. When one answers again, a round follows.
     */
    private void probeAll() {
        List<Future<SentinelReport>> s = new ArrayList<>();
        for (Map.Entry<HostPort, SentinelProbe> e : sentinelProbes.entrySet()) {
            SentinelReport last = sentinelReports.get(e.getKey());
            SentinelProbe p = e.getValue();
            if (last != null && !last.reachable()) {
                inBackground(e.getKey(), p::check, r -> {
                    noteSentinel(r);
                    if (r.reachable()) requestRound("Sentinel " + r.sentinel() + " answers again");
                });
            } else {
                s.add(probes.submit(p::check));
            }
        }
        Map<HostPort, Future<NodeReport>> n = new LinkedHashMap<>();
        for (Map.Entry<HostPort, NodeProbe> e : nodeProbes.entrySet()) {
            NodeReport last = nodeReports.get(e.getKey());
            NodeProbe p = e.getValue();
            if (last != null && !last.up()) {
                inBackground(e.getKey(), p::check, r -> {
                    noteNode(r);
                    if (r.up()) requestRound("node " + r.node() + " answers again");
                });
            } else {
                n.put(e.getKey(), probes.submit(p::check));
            }
        }
        long budget = config.check().timeout().toMillis() * 3 + 100;
        for (Future<SentinelReport> f : s) {
            SentinelReport r = await(f, budget);
            if (r != null) noteSentinel(r);
        }
        for (Map.Entry<HostPort, Future<NodeReport>> e : n.entrySet()) {
            NodeReport r = await(e.getValue(), budget);
            noteNode(r != null ? r : NodeReport.down(e.getKey(), "timeout", Instant.now()));
        }
    }

    /** One probe at a time per address; its result is applied on the loop thread. */
    private <R> void inBackground(HostPort key, java.util.concurrent.Callable<R> probe, java.util.function.Consumer<R> then) {
        if (!backgroundProbes.add(key)) return;
        probes.execute(() -> {
            R result;
            try {
                result = probe.call();
            } catch (Exception e) {
                result = null;
            }
            R r = result;
            if (!closed) loop.execute(() -> {
                backgroundProbes.remove(key);
                if (r != null) then.accept(r);
            });
        });
    }

    private void noteSentinel(SentinelReport r) {
        SentinelReport before = sentinelReports.put(r.sentinel(), r);
        boolean wasUsable = before != null && before.usable();
        if (before == null || wasUsable != r.usable()) {
            if (r.usable()) log.info("[{}] Sentinel {} answers: names {} (config epoch {})", config.name(), r.sentinel(), r.master(), r.configEpoch());
            else log.warn("[{}] Sentinel {} is not usable: {}", config.name(), r.sentinel(), r.detail());
        }
    }

    private void noteNode(NodeReport r) {
        NodeReport before = nodeReports.put(r.node(), r);
        String was = before == null ? null : state(before);
        String now = state(r);
        if (!now.equals(was)) {
            if (r.up()) log.info("[{}] node {} is up: {}", config.name(), r.node(), now);
            else log.warn("[{}] node {} is down: {}", config.name(), r.node(), r.detail());
        }
    }

    private static String state(NodeReport r) {
        if (!r.up()) return "down";
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
            if (!nodeProbes.containsKey(hp)) {
                nodeProbes.put(hp, new NodeProbe(hp, Connector.toNodes(config)));
                log.info("[{}] learned node {}", config.name(), hp);
                added = true;
            }
        }
        return added;
    }

    /** The leader Sentinel flags {@code failover_in_progress} while it still names the old master: hold. */
    private void leaderHold() {
        for (SentinelReport r : sentinelReports.values()) {
            if (r.usable() && r.promotionPending() && r.master().equals(verdict.named()) && r.configEpoch() == verdict.epoch()) {
                startHold("Sentinel " + r.sentinel() + " is failing over " + r.master());
            }
        }
    }

    private boolean holdActive() {
        if (hold.expire()) {
            log.warn("[{}] no promotion confirmed within {} ms: releasing held traffic", config.name(), config.failoverHold().toMillis());
        }
        return hold.held();
    }

    private void decide() {
        holdActive();
        OptionalLong held = hold.sinceEpoch();
        if (promotion != null && System.nanoTime() - promotionSeenNanos > PROMOTION_EVIDENCE.toNanos()) promotion = null;
        Observation o = new Observation(config.sentinels().size(), List.copyOf(sentinelReports.values()),
                nodeReports, verdict, masterEpochs, held, Optional.ofNullable(promotion));
        Verdict v = election.decide(o);
        // The hold ends once a new master is routed (promoted replica, or the epoch moved on).
        if (held.isPresent() && v.hasMaster() && (v.epoch() > held.getAsLong() || v.basis() == Basis.PROMOTED)) hold.end();
        if (v.epoch() > verdict.epoch()) promotion = null;  // the epochs caught up: the evidence is spent
        apply(v);
    }

    private void apply(Verdict v) {
        Verdict before = verdict;
        verdict = v;
        if (v.hasMaster() && (v.basis() == Basis.SENTINELS || v.basis() == Basis.HANDOVER || v.basis() == Basis.PROMOTED)) {
            masterEpochs.merge(v.master(), v.epoch(), Math::max);
        }
        if (!before.sameRouting(v)) transition(before, v);
        for (String w : v.warnings()) {
            if (warned.add(w)) log.warn("[{}] {}", config.name(), w);
        }
        warned.retainAll(v.warnings());
        tripwire.watch(v.master());
        if (config.fence()) v.fence().forEach(x -> fence(x, v));
    }

    private void transition(Verdict before, Verdict now) {
        if (now.hasMaster()) {
            if (!now.master().equals(lastMaster)) {
                // A direct switch took this round; otherwise it began when the old master lost its traffic.
                long since = before.hasMaster() ? roundStartNanos : masterLostAtNanos;
                Duration took = lastMaster == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
                SwitchRecord rec = new SwitchRecord(Instant.now(), lastMaster, now.master(), took, now.basis(), now.epoch(), now.reason());
                remember(switches, rec, HISTORY);
                log.warn("[{}] master {} -> {} after {} ms: {}", config.name(), lastMaster == null ? "(none)" : lastMaster,
                        now.master(), took.toMillis(), now.reason());
                lastMaster = now.master();
                listeners.forEach(l -> l.onVerdict(before, now, this::saysReplica));
                listeners.forEach(l -> l.onSwitch(rec));
                return;
            }
            log.info("[{}] routing to {} ({}): {}", config.name(), now.master(), now.basis(), now.reason());
        } else {
            if (before.hasMaster()) masterLostAtNanos = System.nanoTime();
            if (now.held() != null) log.warn("[{}] holding sessions on {}: {}", config.name(), now.held(), now.reason());
            else log.warn("[{}] no master: {}", config.name(), now.reason());
        }
        listeners.forEach(l -> l.onVerdict(before, now, this::saysReplica));
    }

    /** Called on this topology's thread, within a round, like the listeners. */
    private boolean saysReplica(HostPort node) {
        NodeReport r = nodeReports.get(node);
        return r != null && r.up() && r.role() == Role.REPLICA;
    }

    /**
     * Demotes an old master that still says master, as Sentinel itself would seconds later
     * ({@code +convert-to-slave}). Both answers are checked again first, so a stale report never fences;
     * REPLICAOF to the same master twice is harmless, so several Ferry instances may all do it.
     */
    private void fence(HostPort old, Verdict v) {
        Instant last = lastFence.get(old);
        // One attempt per node per 10 s: a refused REPLICAOF (ACL, renamed command) must not flood the log.
        if (last != null && last.isAfter(Instant.now().minusSeconds(10))) return;
        lastFence.put(old, Instant.now());
        NodeProbe oldProbe = nodeProbes.get(old);
        NodeProbe newProbe = nodeProbes.get(v.master());
        if (oldProbe == null || newProbe == null) return;
        probes.execute(() -> {
            boolean attempted = false;
            boolean ok = false;
            String detail;
            try {
                if (!oldProbe.check().saysMaster() || !newProbe.check().saysMaster()) {
                    detail = "a fresh check no longer shows both as master";
                } else {
                    attempted = true;
                    Object r = oldProbe.command("REPLICAOF", v.master().host(), String.valueOf(v.master().port()));
                    ok = !(r instanceof ErrorReply);
                    detail = String.valueOf(r);
                }
            } catch (Exception e) {
                attempted = true;
                detail = "failed: " + e.getMessage();
            }
            boolean tried = attempted;
            boolean succeeded = ok;
            String outcome = detail;
            loop.execute(() -> {
                if (!tried) {
                    // Nothing was sent: the next round may try again at once.
                    lastFence.remove(old);
                    log.info("[{}] not fencing {}: {}", config.name(), old, outcome);
                    return;
                }
                if (succeeded) fences++;
                log.warn("[{}] fenced old master {}: REPLICAOF {} (it was master at config epoch {}, Sentinels now at {}): {}",
                        config.name(), old, v.master(), masterEpochs.get(old), v.epoch(), outcome);
                listeners.forEach(l -> l.onFence(old, v.master(), succeeded));
                round("after fencing " + old);
            });
        });
    }

    private TopologySnapshot buildSnapshot() {
        List<NodeReport> nodes = new ArrayList<>(nodeReports.values());
        nodes.sort((a, b) -> a.node().compareTo(b.node()));
        List<SentinelReport> sentinels = List.copyOf(sentinelReports.values());
        List<String> advice = DurabilityAdvice.of(verdict.master() == null ? null : nodeReports.get(verdict.master()), sentinels)
                .map(List::of).orElse(List.of());
        return new TopologySnapshot(config.name(), config.masterName(), verdict, nodes,
                sentinels, List.copyOf(switches), List.copyOf(events), rounds, fences, eventCount, advice);
    }

    private static <T> void remember(Deque<T> q, T item, int max) {
        q.addFirst(item);
        while (q.size() > max) q.removeLast();
    }

    private static <T> T await(Future<T> f, long millis) {
        try {
            return f.get(millis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            f.cancel(true);
            return null;
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        closed = true;
        subscribers.forEach(SentinelSubscriber::stop);
        tripwire.stop();
        loop.shutdownNow();
        probes.shutdownNow();
        sentinelProbes.values().forEach(SentinelProbe::close);
        nodeProbes.values().forEach(NodeProbe::close);
    }
}
