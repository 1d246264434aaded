package dev.ferry.topology;

import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
import dev.ferry.resp.Connector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is master for one frontend, kept current. Each check round the {@link Prober} asks every Sentinel and
 * node, {@link MasterElection} decides, and routing changes are applied and logged here, once; the
 * {@link HoldPolicy} says when traffic is held during a promotion, the {@link Fencer} demotes old masters,
 * and the {@link TopologyHistory} keeps what operators read.
 * Rounds run every check interval, and at once on a Sentinel event or when the tripwire on the master
 * (if on) fires; while no master is known or traffic is held, every 50 ms.
 * All state changes happen on one thread (the topology's), so no locks guard the decision.
 */
public final class Topology implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Topology.class);
    private static final Duration UNSETTLED_INTERVAL = Duration.ofMillis(50);

    private final FrontendConfig config;
    private final MasterElection election = new MasterElection();
    private final ScheduledExecutorService loop;
    private final ExecutorService workers;
    private final Checks checks;
    private final Prober prober;
    private final Fencer fencer;
    private final HoldPolicy hold;
    private final TopologyHistory history;
    private final Optional<ReplicaSelection> replicaSelection;
    private final List<SentinelSubscriber> subscribers = new ArrayList<>();
    private final Optional<Tripwire> tripwire;
    private final List<TopologyListener> listeners = new CopyOnWriteArrayList<>();

    // Owned by the loop thread.
    private final Map<HostPort, Long> masterEpochs = new HashMap<>();
    private final Set<String> warned = new HashSet<>();
    private Verdict verdict = Verdict.INITIAL;
    private ReplicaSet replicas = ReplicaSet.OFF;
    private ScheduledFuture<?> next;
    private boolean roundQueued;
    private volatile TopologySnapshot snapshot;
    private volatile boolean closed;

    public Topology(FrontendConfig config) {
        this.config = config;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ferry-" + config.name() + "-topology"));
        this.workers = Executors.newCachedThreadPool(r -> daemon(r, "ferry-" + config.name() + "-probe"));
        this.checks = new RedisChecks(config);
        Duration timeout = config.check().timeout();
        this.prober = new Prober(config.name(), config.sentinels(), config.servers(), timeout, checks, workers, loop, Ticker.SYSTEM,
                this::requestRound);
        this.fencer = new Fencer(config.name(), checks, workers, loop, Ticker.SYSTEM, this::fenced);
        this.hold = new HoldPolicy(config.name(), config.masterName(), config.failoverHold(), Ticker.SYSTEM);
        this.history = new TopologyHistory(config.name(), config.masterName(), Ticker.SYSTEM);
        this.replicaSelection = config.replicaReads().map(r -> new ReplicaSelection(r, config.check().interval().toMillis()));
        for (HostPort s : config.sentinels()) {
            subscribers.add(new SentinelSubscriber(config.name(), s, config.masterName(), Connector.toSentinels(config),
                    ev -> loop.execute(() -> onEvent(ev))));
        }
        this.tripwire = config.tripwire()
                ? Optional.of(new Tripwire(config.name(), Connector.toNodes(config), why -> requestRound("tripwire: " + why)))
                : Optional.empty();
        this.snapshot = buildSnapshot();
    }

    public void addListener(TopologyListener l) {
        listeners.add(l);
    }

    public FrontendConfig config() {
        return config;
    }

    public void start() {
        // A reload may turn a replica frontend into a master one: its router forgets the replicas.
        if (replicaSelection.isEmpty()) listeners.forEach(l -> l.onReplicas(ReplicaSet.OFF));
        subscribers.forEach(SentinelSubscriber::start);
        tripwire.ifPresent(Tripwire::start);
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
            hold.forPlannedFailover(why, max, verdict);
            decide();
            snapshot = buildSnapshot();
            return verdict;
        }).get();
    }

    /** Ends a hold early (a planned failover that rolled back). */
    public void releaseHold() throws Exception {
        loop.submit(() -> {
            if (hold.release()) log.warn("[{}] hold released", config.name());
            round("hold released");
        }).get();
    }

    /**
     * Evidence of a promotion observed by a planned failover (the same evidence a Sentinel leader's
     * {@code +failover-state-wait-promotion} gives); a round follows at once.
     */
    public void notePromotion(HostPort replica, HostPort of, HostPort announcedBy) {
        loop.execute(() -> {
            hold.notePromotion(new Promotion(replica, of, announcedBy));
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
        history.event(ev);
        log.info("[{}] Sentinel {}: {}", config.name(), ev.from(), ev);
        hold.onEvent(ev, verdict);
        listeners.forEach(l -> l.onEvent(ev));
        // Coalesced: a burst of events (a failover publishes a dozen) costs one round, not a backlog.
        requestRound("event " + ev.name());
    }

    private void round(String why) {
        if (closed) return;
        if (next != null) next.cancel(false);
        history.roundStarted();
        if (!"interval".equals(why)) log.debug("[{}] check round: {}", config.name(), why);
        try {
            prober.probe();
            hold.onReports(prober.sentinelReports(), verdict);
            decide();
        } catch (RuntimeException e) {
            log.error("[{}] check round failed: {}", config.name(), e.toString());
        }
        snapshot = buildSnapshot();
        boolean unsettled = !verdict.hasMaster() || hold.active();
        long delay = unsettled ? UNSETTLED_INTERVAL.toMillis() : config.check().interval().toMillis();
        if (!closed) next = loop.schedule(() -> round("interval"), delay, TimeUnit.MILLISECONDS);
    }

    private void decide() {
        OptionalLong held = hold.sinceEpoch();
        Observation o = new Observation(config.sentinels().size(), prober.sentinelReports(), prober.nodeReports(), verdict,
                masterEpochs, held, hold.promotion(), prober.unavailableFor(), config.downAfter());
        Verdict v = election.decide(o);
        hold.decided(held, verdict, v);
        selectReplicas(v);
        apply(v);
    }

    /**
     * A replica frontend's replicas, measured against this round's master (or the held one while Sentinel
     * promotes). Told before the verdict, so a promoted replica is already out when its promotion is routed.
     */
    private void selectReplicas(Verdict v) {
        if (replicaSelection.isEmpty()) return;
        HostPort against = v.master() != null ? v.master() : v.held();
        replicas = replicaSelection.get().select(against, prober.nodeReports().values(), Ticker.SYSTEM.nanoTime() / 1_000_000);
        listeners.forEach(l -> l.onReplicas(replicas));
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
        tripwire.ifPresent(t -> t.watch(v.master()));
        if (config.fence()) v.fence().forEach(x -> fencer.fence(x, v, masterEpochs.get(x)));
    }

    private void transition(Verdict before, Verdict now) {
        Optional<SwitchRecord> switched = history.routed(before, now);
        if (switched.isPresent()) {
            SwitchRecord rec = switched.get();
            log.warn("[{}] master {} -> {} after {} ms: {}", config.name(), rec.from() == null ? "(none)" : rec.from(),
                    now.master(), rec.took().toMillis(), now.reason());
            listeners.forEach(l -> l.onVerdict(before, now, prober::saysReplica));
            listeners.forEach(l -> l.onSwitch(rec));
            return;
        }
        if (now.hasMaster()) log.info("[{}] routing to {} ({}): {}", config.name(), now.master(), now.basis(), now.reason());
        else if (now.held() != null) log.warn("[{}] holding sessions on {}: {}", config.name(), now.held(), now.reason());
        else log.warn("[{}] no master: {}", config.name(), now.reason());
        listeners.forEach(l -> l.onVerdict(before, now, prober::saysReplica));
    }

    /** An old master took REPLICAOF (or refused it): counted, told, and checked again at once. */
    private void fenced(HostPort old, HostPort master, boolean succeeded) {
        history.fenced(succeeded);
        listeners.forEach(l -> l.onFence(old, master, succeeded));
        round("after fencing " + old);
    }

    private TopologySnapshot buildSnapshot() {
        Map<HostPort, NodeReport> reports = prober.nodeReports();
        List<NodeReport> nodes = new ArrayList<>(reports.values());
        nodes.sort((a, b) -> a.node().compareTo(b.node()));
        List<SentinelReport> sentinels = prober.sentinelReports();
        List<String> advice = DurabilityAdvice.of(verdict.master() == null ? null : reports.get(verdict.master()), sentinels)
                .map(List::of).orElse(List.of());
        return history.snapshot(verdict, nodes, sentinels, advice, replicas);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        closed = true;
        prober.close();
        subscribers.forEach(SentinelSubscriber::stop);
        tripwire.ifPresent(Tripwire::stop);
        loop.shutdownNow();
        workers.shutdownNow();
        checks.close();
    }
}
