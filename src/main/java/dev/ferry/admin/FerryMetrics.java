package dev.ferry.admin;

import dev.ferry.Ferry;
import dev.ferry.config.FrontendTlsConfig;
import dev.ferry.config.HostPort;
import dev.ferry.proxy.TrafficStats;
import dev.ferry.tls.ClientTls;
import dev.ferry.tls.TlsCounters;
import dev.ferry.topology.NodeReport;
import dev.ferry.topology.SentinelReport;
import dev.ferry.topology.SwitchRecord;
import dev.ferry.topology.Topology;
import dev.ferry.topology.TopologyListener;
import dev.ferry.topology.NodeRoles;
import dev.ferry.topology.ReplicaState;
import dev.ferry.topology.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Ferry's counters and states as Micrometer meters, scraped in Prometheus text format. Meters read the
 * router's LongAdders and the topology's latest snapshot at scrape time, so the data path pays nothing;
 * nodes learned later (from Sentinels or replicas) are registered when a scrape or tick first sees them.
 */
final class FerryMetrics implements AutoCloseable {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Duration[] SWITCH_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Ferry ferry;
    private final Set<String> registered = new HashSet<>();
    private final Set<Topology> listenedTo = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private volatile boolean closed;

    FerryMetrics(Ferry ferry) {
        this.ferry = ferry;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        FunctionCounter.builder("ferry.reloads", ferry, f -> f.reloads.sum())
                .description("Configuration reloads applied (SIGHUP, ferry reload)").register(registry);
        FunctionCounter.builder("ferry.reload.refusals", ferry, f -> f.reloadsRefused.sum())
                .description("Configuration reloads refused because the new file did not validate (the running one stayed)").register(registry);
        FunctionCounter.builder("ferry.tls.reloads", ferry.certificates(), w -> w.reloads.sum())
                .description("Certificates, keys or CAs loaded again after their files changed").register(registry);
        FunctionCounter.builder("ferry.tls.reload.refusals", ferry.certificates(), w -> w.refused.sum())
                .description("Changed certificate files that did not check out (the loaded ones stayed)").register(registry);
        registerNew();
    }

    /** Prometheus text exposition of every meter, after registering nodes seen since the last call. */
    String scrape() {
        registerNew();
        return registry.scrape();
    }

    /** Registers meters for nodes and Sentinels not seen before. Cheap when there are none. */
    synchronized void registerNew() {
        if (closed) return;
        for (Ferry.Frontend fr : ferry.frontends()) {
            // A reload may add frontends, or give one a new topology: meters read by name, listeners per topology.
            if (registered.add(fr.config().name())) frontend(fr);
            if (listenedTo.add(fr.topology())) countSwitches(fr);
            Set<HostPort> nodes = new LinkedHashSet<>(fr.config().servers());
            fr.topology().snapshot().nodes().forEach(r -> nodes.add(r.node()));
            nodes.addAll(fr.router().allNodeStats().keySet());
            for (HostPort n : nodes) {
                if (registered.add(fr.config().name() + " node " + n)) node(fr, n);
            }
            Set<HostPort> sentinels = new LinkedHashSet<>(fr.config().sentinels());
            fr.topology().snapshot().sentinels().forEach(r -> sentinels.add(r.sentinel()));
            for (HostPort s : sentinels) {
                if (registered.add(fr.config().name() + " sentinel " + s)) sentinel(fr, s);
            }
        }
    }

    /** The value of a frontend found by name now (a reload may have replaced its parts); NaN once it is gone. */
    private double of(String name, ToDoubleFunction<Ferry.Frontend> f) {
        return ferry.frontend(name).map(f::applyAsDouble).orElse(Double.NaN);
    }

    private void frontend(Ferry.Frontend fr) {
        String name = fr.config().name();
        Tags t = Tags.of("frontend", name);
        Gauge.builder("ferry.clients.waiting", ferry, f -> of(name, x -> x.router().stats().waitingNow.sum())).tags(t)
                .description("Client sessions with commands waiting for a master now").register(registry);
        FunctionCounter.builder("ferry.clients.waited", ferry, f -> of(name, x -> x.router().stats().waited.sum())).tags(t)
                .description("Times a client session's commands had to wait for a master").register(registry);
        FunctionCounter.builder("ferry.wait.timeouts", ferry, f -> of(name, x -> x.router().stats().waitTimeouts.sum())).tags(t)
                .description("Commands answered -MASTERDOWN because no master could take them within wait-for-master").register(registry);
        Gauge.builder("ferry.clients.connected", ferry, f -> of(name, x -> x.router().stats().sessionsNow.sum())).tags(t)
                .description("Client connections open now").register(registry);
        FunctionCounter.builder("ferry.commands", ferry, f -> of(name, x -> x.router().stats().commandsShared.sum()))
                .tags(t.and("path", "shared"))
                .description("Client commands by how they travelled: on a shared node connection, a dedicated one, or answered by Ferry")
                .register(registry);
        FunctionCounter.builder("ferry.commands", ferry, f -> of(name, x -> x.router().stats().commandsDedicated.sum()))
                .tags(t.and("path", "dedicated")).register(registry);
        FunctionCounter.builder("ferry.commands", ferry, f -> of(name, x -> x.router().stats().commandsLocal.sum()))
                .tags(t.and("path", "ferry")).register(registry);
        Gauge.builder("ferry.node.connections", ferry, f -> of(name, x -> x.router().stats().sharedConnectionsNow.sum()))
                .tags(t.and("kind", "shared"))
                .description("Node connections open now: shared by many sessions, or dedicated to one").register(registry);
        Gauge.builder("ferry.node.connections", ferry, f -> of(name, x -> x.router().stats().dedicatedConnectionsNow.sum()))
                .tags(t.and("kind", "dedicated")).register(registry);
        FunctionCounter.builder("ferry.clients.output.limit.closes", ferry, f -> of(name, x -> x.router().stats().outputLimitCloses.sum()))
                .tags(t).description("Clients closed because more than client-output-limit of replies piled up unread").register(registry);
        FunctionCounter.builder("ferry.pushes.dropped", ferry, f -> of(name, x -> x.router().stats().pushesDropped.sum())).tags(t)
                .description("RESP3 pushes that arrived on a shared node connection (none is expected)").register(registry);
        Gauge.builder("ferry.frontend.has.master", ferry, f -> of(name, x -> x.topology().snapshot().verdict().hasMaster() ? 1 : 0)).tags(t)
                .description("1 when the frontend routes to a master now").register(registry);
        Gauge.builder("ferry.frontend.held", ferry, f -> of(name, x -> x.topology().snapshot().verdict().held() != null ? 1 : 0)).tags(t)
                .description("1 while client sessions are held because Sentinel is promoting a replica").register(registry);
        FunctionCounter.builder("ferry.fences", ferry, f -> of(name, x -> x.topology().snapshot().fences())).tags(t)
                .description("Old masters demoted by Ferry with REPLICAOF").register(registry);
        FunctionCounter.builder("ferry.sentinel.events", ferry, f -> of(name, x -> x.topology().snapshot().sentinelEvents())).tags(t)
                .description("Sentinel events about this master name (+sdown, +switch-master...)").register(registry);
        FunctionCounter.builder("ferry.check.rounds", ferry, f -> of(name, x -> x.topology().snapshot().rounds())).tags(t)
                .description("Check rounds of the Sentinels and nodes").register(registry);
        tls(fr, t);
        if (fr.config().readsFromReplicas()) {
            Gauge.builder("ferry.replicas.in", ferry, f -> of(name, x -> x.router().replicas().in().size())).tags(t)
                    .description("Replicas a replica frontend reads from now (in sync with the master within max-lag)").register(registry);
            Gauge.builder("ferry.replicas.fallback", ferry, f -> of(name, x -> x.router().replicas().fallingBack() ? 1 : 0)).tags(t)
                    .description("1 while no replica qualifies and reads go to the master").register(registry);
        }
        Counter.builder("ferry.master.changes").tags(t)
                .description("Changes of the routed master (the first master at start is not a change)").register(registry);
        Timer.builder("ferry.switch.duration").tags(t).serviceLevelObjectives(SWITCH_BUCKETS)
                .description("From the old master losing client traffic to the new one getting it").register(registry);
    }

    private void countSwitches(Ferry.Frontend fr) {
        Tags t = Tags.of("frontend", fr.config().name());
        Counter changes = registry.counter("ferry.master.changes", t);
        Timer took = registry.timer("ferry.switch.duration", t);
        fr.topology().addListener(new TopologyListener() {
            @Override
            public void onVerdict(Verdict before, Verdict now, NodeRoles roles) {}

            @Override
            public void onSwitch(SwitchRecord record) {
                if (closed || record.from() == null) return;
                changes.increment();
                took.record(record.took());
            }
        });
    }

    /** TLS counters of the frontend's client ports (every frontend: TLS clients on a plaintext port count) and of its node and Sentinel links. */
    private void tls(Ferry.Frontend fr, Tags t) {
        String name = fr.config().name();
        FunctionCounter.builder("ferry.tls.handshakes", ferry, f -> of(name, x -> x.server().tls().counters().handshakes.sum()))
                .tags(t.and("side", "clients")).description("TLS handshakes completed").register(registry);
        FunctionCounter.builder("ferry.tls.handshake.failures", ferry, f -> of(name, x -> x.server().tls().counters().handshakeFailures.sum()))
                .tags(t.and("side", "clients"))
                .description("TLS handshakes that failed (untrusted or missing certificate, wrong name, no common version)").register(registry);
        FunctionCounter.builder("ferry.tls.plaintext.on.tls.port", ferry, f -> of(name, x -> x.server().tls().counters().plaintextOnTlsPort.sum()))
                .tags(t).description("Plaintext clients on the TLS port, answered -ERR and closed").register(registry);
        FunctionCounter.builder("ferry.tls.tls.on.plaintext.port", ferry, f -> of(name, x -> x.server().tls().counters().tlsOnPlaintextPort.sum()))
                .tags(t).description("TLS clients on a plaintext port, closed").register(registry);
        FrontendTlsConfig cfg = fr.config().tls();
        // The same setting on both sides is one shared context, so one set of counts.
        boolean same = cfg.nodes() != null && cfg.nodes().equals(cfg.sentinels());
        if (cfg.nodes() != null) upstream(ClientTls.of(cfg.nodes()).counters(), t.and("side", same ? "nodes_and_sentinels" : "nodes"));
        if (cfg.sentinels() != null && !same) upstream(ClientTls.of(cfg.sentinels()).counters(), t.and("side", "sentinels"));
    }

    private void upstream(TlsCounters c, Tags t) {
        FunctionCounter.builder("ferry.tls.handshakes", c, x -> x.handshakes.sum()).tags(t)
                .description("TLS handshakes completed").register(registry);
        FunctionCounter.builder("ferry.tls.handshake.failures", c, x -> x.handshakeFailures.sum()).tags(t)
                .description("TLS handshakes that failed (untrusted or missing certificate, wrong name, no common version)").register(registry);
    }

    private void node(Ferry.Frontend fr, HostPort node) {
        Tags t = Tags.of("frontend", fr.config().name(), "node", node.toString());
        // The router creates this on the node's first session anyway; creating it now lets meters hold it.
        TrafficStats s = fr.router().nodeStats(node);
        Gauge.builder("ferry.sessions.active", s, x -> x.sessionsNow.sum()).tags(t)
                .description("Client sessions connected to the node now").register(registry);
        counter("ferry.sessions", s, x -> x.sessionsTotal, t, "Client sessions connected to the node");
        counter("ferry.bytes.received", s, x -> x.bytesFromClients, t, "Bytes received from clients for the node");
        counter("ferry.bytes.sent", s, x -> x.bytesToClients, t, "Bytes sent to clients from the node");
        counter("ferry.connect.errors", s, x -> x.connectErrors, t, "Failed connections to the node (refused, timeout)");
        counter("ferry.sessions.cut", s, x -> x.sessionsCut, t, "Client sessions closed because the node stopped being master");
        counter("ferry.sessions.closed.by.node", s, x -> x.sessionsClosedByNode, t,
                "Client sessions closed because the master closed their own connection (CLIENT KILL, its timeout)");
        counter("ferry.sessions.moved", s, x -> x.sessionsMoved, t,
                "Client sessions that left the node for the new master without being closed");
        counter("ferry.commands.resent", s, x -> x.commandsResent, t,
                "Commands the node refused as a replica (-READONLY) that were sent again to the new master");
        counter("ferry.sessions.state.moved", s, x -> x.stateMoved, t,
                "Sessions whose subscriptions, tracking, MONITOR or open transaction were set up again on the new master");
        counter("ferry.tracking.caches.flushed", s, x -> x.cachesFlushed, t,
                "Tracking clients told to drop their local cache when they moved off the node");
        String name = fr.config().name();
        Gauge.builder("ferry.node.up", ferry, f -> of(name, x -> report(x.topology(), node) != null && report(x.topology(), node).up() ? 1 : 0))
                .tags(t).description("1 when the last check of the node answered PING and ROLE").register(registry);
        Gauge.builder("ferry.node.is.master", ferry, f -> of(name, x -> node.equals(x.topology().snapshot().verdict().master()) ? 1 : 0))
                .tags(t).description("1 when Ferry routes clients to this node").register(registry);
        if (fr.config().readsFromReplicas()) replica(name, node, t);
        Gauge.builder("ferry.node.check.latency", ferry, f -> of(name, x -> latencySeconds(report(x.topology(), node)))).tags(t).baseUnit("seconds")
                .description("Round trip of the last check's PING; NaN while the node is down").register(registry);
    }

    /** A replica frontend's view of one node: in or out, and its lag (NaN while unknown). */
    private void replica(String name, HostPort node, Tags t) {
        Gauge.builder("ferry.replica.in", ferry, f -> of(name, x -> replica(x, node) != null && replica(x, node).in() ? 1 : 0)).tags(t)
                .description("1 when the replica frontend reads from this node").register(registry);
        Gauge.builder("ferry.replica.lag", ferry, f -> of(name, x -> lag(replica(x, node), false))).tags(t).baseUnit("bytes")
                .description("How far the node's replication offset is behind the master's; NaN unknown").register(registry);
        Gauge.builder("ferry.replica.lag.time", ferry, f -> of(name, x -> lag(replica(x, node), true))).tags(t).baseUnit("seconds")
                .description("How long ago the master had the oldest write the node lacks (to within a check interval); NaN unknown")
                .register(registry);
    }

    private static ReplicaState replica(Ferry.Frontend fr, HostPort node) {
        for (ReplicaState s : fr.router().replicas().nodes()) {
            if (s.node().equals(node)) return s;
        }
        return null;
    }

    private static double lag(ReplicaState s, boolean time) {
        if (s == null) return Double.NaN;
        long v = time ? s.lagMillis() : s.lagBytes();
        return v < 0 ? Double.NaN : time ? v / 1000.0 : v;
    }

    private void sentinel(Ferry.Frontend fr, HostPort sentinel) {
        Tags t = Tags.of("frontend", fr.config().name(), "sentinel", sentinel.toString());
        String name = fr.config().name();
        Gauge.builder("ferry.sentinel.up", ferry, f -> of(name, x -> {
            for (SentinelReport r : x.topology().snapshot().sentinels()) {
                if (r.sentinel().equals(sentinel)) return r.usable() ? 1 : 0;
            }
            return 0;
        })).tags(t).description("1 when the Sentinel answers, is not in TILT and names a master").register(registry);
    }

    private void counter(String name, TrafficStats s, Function<TrafficStats, LongAdder> f, Tags t, String description) {
        FunctionCounter.Builder<TrafficStats> b = FunctionCounter.builder(name, s, x -> f.apply(x).sum()).tags(t);
        if (description != null) b.description(description);
        b.register(registry);
    }

    private static NodeReport report(Topology t, HostPort node) {
        for (NodeReport r : t.snapshot().nodes()) {
            if (r.node().equals(node)) return r;
        }
        return null;
    }

    private static double latencySeconds(NodeReport r) {
        return r == null || !r.up() || r.latencyMicros() < 0 ? Double.NaN : r.latencyMicros() / 1e6;
    }

    @Override
    public void close() {
        closed = true;
        registry.close();
    }
}
