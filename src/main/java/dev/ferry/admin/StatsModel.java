package dev.ferry.admin;

import dev.ferry.config.FrontendTlsConfig;
import dev.ferry.tls.ClientTls;
import dev.ferry.tls.ListenerTls;
import dev.ferry.tls.TlsCounters;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.Set;
import dev.ferry.Ferry;
import dev.ferry.config.AdminConfig;
import dev.ferry.config.Credentials;
import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
import dev.ferry.proxy.Router;
import dev.ferry.proxy.TrafficStats;
import dev.ferry.topology.NodeReport;
import dev.ferry.topology.SentinelReport;
import dev.ferry.topology.SwitchRecord;
import dev.ferry.topology.TopologySnapshot;
import dev.ferry.topology.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A plain, immutable view of one Ferry for the page, JSON and CSV renderers. Every free text (reasons,
 * details, events) passes through {@link #redact} so no configured password can reach a page.
 */
public record StatsModel(String nodeName, String version, Instant generated, Duration refresh, List<FrontendView> frontends) {

    /** One frontend: who is master and why, its counters, nodes, Sentinels and history. */
    public record FrontendView(
            String name, HostPort bind, String masterName, boolean staticMode,
            HostPort master, HostPort held, HostPort named, long epoch, String basis, String reason, List<String> warnings,
            List<String> notes, Traffic traffic, Paths paths, long waitingNow, long waited, long waitTimeouts, long rounds, long fences,
            long sentinelEvents, List<NodeView> nodes, List<SentinelView> sentinels, List<SwitchView> switches, List<String> events,
            TlsView tls, ReplicasView replicas) {

        /** A frontend without TLS on any side. */
        public FrontendView(String name, HostPort bind, String masterName, boolean staticMode, HostPort master, HostPort held,
                            HostPort named, long epoch, String basis, String reason, List<String> warnings, List<String> notes,
                            Traffic traffic, Paths paths, long waitingNow, long waited, long waitTimeouts, long rounds, long fences,
                            long sentinelEvents, List<NodeView> nodes, List<SentinelView> sentinels, List<SwitchView> switches,
                            List<String> events) {
            this(name, bind, masterName, staticMode, master, held, named, epoch, basis, reason, warnings, notes, traffic, paths,
                    waitingNow, waited, waitTimeouts, rounds, fences, sentinelEvents, nodes, sentinels, switches, events, TlsView.NONE,
                    ReplicasView.OFF);
        }

        public boolean hasMaster() {
            return master != null;
        }

        /** Clients are served: a master frontend has a master; a replica frontend has a replica, or the master as fallback. */
        public boolean serving() {
            return replicas.enabled() ? replicas.serving(hasMaster()) : hasMaster();
        }

        /** "master", "held" (Sentinel is promoting a replica) or "none". */
        public String status() {
            return master != null ? "master" : held != null ? "held" : "none";
        }

        public long sentinelsAnswering() {
            return sentinels.stream().filter(SentinelView::usable).count();
        }
    }

    /** Client traffic of a frontend or of one node. Bytes in are from clients, bytes out to clients. */
    public record Traffic(long sessionsNow, long sessionsTotal, long bytesIn, long bytesOut, long connectErrors, long sessionsCut,
            long sessionsMoved, long commandsResent, long stateMoved) {
        static final Traffic NONE = new Traffic(0, 0, 0, 0, 0, 0, 0, 0, 0);

        static Traffic of(TrafficStats s) {
            if (s == null) return NONE;
            return new Traffic(s.sessionsNow.sum(), s.sessionsTotal.sum(), s.bytesFromClients.sum(), s.bytesToClients.sum(),
                    s.connectErrors.sum(), s.sessionsCut.sum(), s.sessionsMoved.sum(), s.commandsResent.sum(), s.stateMoved.sum());
        }
    }

    /**
     * How a frontend's commands travel: node connections shared by many sessions, or dedicated to one while
     * it holds connection state; commands on each, and those Ferry answered itself.
     */
    public record Paths(long sharedConnections, long dedicatedConnections, long commandsShared, long commandsDedicated,
            long commandsLocal, long outputLimitCloses) {
        static Paths of(TrafficStats s) {
            return new Paths(s.sharedConnectionsNow.sum(), s.dedicatedConnectionsNow.sum(), s.commandsShared.sum(),
                    s.commandsDedicated.sum(), s.commandsLocal.sum(), s.outputLimitCloses.sum());
        }
    }

    /** One Redis node as the last check saw it; {@code since} is when it entered that state. */
    public record NodeView(
            HostPort address, boolean up, String role, boolean master, boolean held, boolean named,
            HostPort replicaOf, boolean linkUp, long offset, String detail, long latencyMicros,
            Instant checkedAt, Instant since, Traffic traffic) {

        /** What the stats page and CSV show as the node's status: MASTER, REPLICA, DOWN... */
        public String status() {
            return up ? role.toUpperCase() : "DOWN";
        }
    }

    /** One Sentinel's last answer: whether it counts, what it names and at which config epoch. */
    public record SentinelView(
            HostPort address, boolean reachable, boolean tilt, boolean usable, HostPort names, long configEpoch,
            boolean failoverInProgress, int replicas, int peers, String detail, Instant checkedAt) {

        public String status() {
            if (!reachable) return "UNREACHABLE";
            if (tilt) return "TILT";
            return usable ? "ANSWERS" : "NO MASTER NAME";
        }
    }

    /**
     * A frontend's TLS: which sides use it, the certificate clients are shown, and what happened: handshakes
     * with clients and their failures, plaintext clients on the TLS port and TLS clients on a plaintext one,
     * handshakes toward nodes and Sentinels and their failures.
     */
    public record TlsView(boolean towardClients, HostPort plaintextBind, boolean towardNodes, boolean towardSentinels,
            String certificate, Instant certificateExpires, long handshakes, long handshakeFailures, long plaintextOnTlsPort,
            long tlsOnPlaintextPort, long upstreamHandshakes, long upstreamFailures) {
        public static final TlsView NONE = new TlsView(false, null, false, false, null, null, 0, 0, 0, 0, 0, 0);

        public boolean any() {
            return towardClients || towardNodes || towardSentinels;
        }
    }

    public record SwitchView(Instant at, HostPort from, HostPort to, Duration took, String basis, long epoch, String reason) {}

    public StatsModel {
        frontends = List.copyOf(frontends);
    }

    public boolean everyFrontendHasMaster() {
        return frontends.stream().allMatch(FrontendView::hasMaster);
    }

    /** Every frontend serves its clients (see {@link FrontendView#serving}): what /health and {@code healthy} say. */
    public boolean everyFrontendServes() {
        return frontends.stream().allMatch(FrontendView::serving);
    }

    /** Reads everything now; cheap (snapshots are immutable, counters are LongAdders). */
    static StatsModel collect(Ferry ferry, AdminConfig admin, NodeStates states) {
        List<String> secrets = secrets(ferry, admin);
        List<FrontendView> views = new ArrayList<>();
        for (Ferry.Frontend fr : ferry.frontends()) views.add(frontend(fr, states, secrets));
        String version = admin.showVersion() ? ferryVersion() : null;
        return new StatsModel(admin.nodeName(), version, Instant.now(), admin.refresh(), views);
    }

    private static FrontendView frontend(Ferry.Frontend fr, NodeStates states, List<String> secrets) {
        FrontendConfig c = fr.config();
        TopologySnapshot snap = fr.topology().snapshot();
        Verdict v = snap.verdict();
        Router router = fr.router();
        states.observe(c.name(), snap.nodes());
        Map<HostPort, TrafficStats> byNode = router.allNodeStats();

        List<NodeView> nodes = new ArrayList<>();
        long cut = 0;
        long moved = 0;
        long resent = 0;
        long stateMoved = 0;
        for (NodeReport r : snap.nodes()) {
            Traffic t = Traffic.of(byNode.get(r.node()));
            cut += t.sessionsCut();
            moved += t.sessionsMoved();
            resent += t.commandsResent();
            stateMoved += t.stateMoved();
            nodes.add(new NodeView(r.node(), r.up(), r.role().word(), r.node().equals(v.master()), r.node().equals(v.held()),
                    r.node().equals(v.named()), r.replicaOf(), r.linkUp(), r.offset(), redact(r.detail(), secrets), r.latencyMicros(),
                    r.at(), states.since(c.name(), r), t));
        }
        for (Map.Entry<HostPort, TrafficStats> e : byNode.entrySet()) {
            if (snap.nodes().stream().noneMatch(r -> r.node().equals(e.getKey()))) {
                cut += e.getValue().sessionsCut.sum();
                moved += e.getValue().sessionsMoved.sum();
                resent += e.getValue().commandsResent.sum();
                stateMoved += e.getValue().stateMoved.sum();
            }
        }
        Traffic f = Traffic.of(router.stats());
        // Sessions are cut and moved per node; the frontend totals are their sums.
        Traffic traffic = new Traffic(f.sessionsNow(), f.sessionsTotal(), f.bytesIn(), f.bytesOut(), f.connectErrors(),
                Math.max(f.sessionsCut(), cut), moved, resent, stateMoved);

        List<SentinelView> sentinels = new ArrayList<>();
        for (SentinelReport s : snap.sentinels()) {
            sentinels.add(new SentinelView(s.sentinel(), s.reachable(), s.tilt(), s.usable(), s.master(), s.configEpoch(),
                    s.failoverInProgress(), s.replicas().size(), s.peers().size(), redact(s.detail(), secrets), s.at()));
        }
        List<SwitchView> switches = new ArrayList<>();
        for (SwitchRecord s : snap.switches()) {
            switches.add(new SwitchView(s.at(), s.from(), s.to(), s.took(), s.basis().name(), s.epoch(), redact(s.reason(), secrets)));
        }
        TrafficStats fs = router.stats();
        return new FrontendView(c.name(), fr.server().boundAddress(), c.masterName(), c.staticMode(),
                v.master(), v.held(), v.named(), v.epoch(), v.basis().name(), redact(v.reason(), secrets),
                v.warnings().stream().map(w -> redact(w, secrets)).toList(),
                // What no front end can save (the min-replicas advice): true all along, so apart from warnings.
                snap.advice().stream().map(a -> redact(a, secrets)).toList(),
                traffic, Paths.of(fs), fs.waitingNow.sum(), fs.waited.sum(), fs.waitTimeouts.sum(), snap.rounds(), snap.fences(),
                snap.sentinelEvents(),
                nodes, sentinels, switches, snap.recentEvents().stream().map(e -> redact(e, secrets)).toList(), tls(fr),
                ReplicasView.of(c, snap.replicas(), router, t -> redact(t, secrets)));
    }

    private static TlsView tls(Ferry.Frontend fr) {
        FrontendTlsConfig c = fr.config().tls();
        ListenerTls listener = fr.server().tls();
        TlsCounters clients = listener.counters();
        Set<ClientTls> upstream = new LinkedHashSet<>();
        if (c.nodes() != null) upstream.add(ClientTls.of(c.nodes()));
        if (c.sentinels() != null) upstream.add(ClientTls.of(c.sentinels()));
        X509Certificate cert = listener.server() == null ? null : listener.server().certificate();
        return new TlsView(c.towardClients(), fr.server().plaintextAddress(), c.nodes() != null, c.sentinels() != null,
                cert == null ? null : cert.getSubjectX500Principal().getName(), cert == null ? null : cert.getNotAfter().toInstant(),
                clients.handshakes.sum(), clients.handshakeFailures.sum(), clients.plaintextOnTlsPort.sum(), clients.tlsOnPlaintextPort.sum(),
                upstream.stream().mapToLong(u -> u.counters().handshakes.sum()).sum(),
                upstream.stream().mapToLong(u -> u.counters().handshakeFailures.sum()).sum());
    }

    /** Every password in the configuration: none of them may appear on any page, whatever a detail says. */
    private static List<String> secrets(Ferry ferry, AdminConfig admin) {
        List<String> out = new ArrayList<>();
        for (FrontendConfig c : ferry.config().frontends()) {
            addSecret(out, c.redisAuth());
            addSecret(out, c.sentinelAuth());
            if (c.tls().clients() != null && c.tls().clients().keyPassword() != null) out.add(c.tls().clients().keyPassword());
            if (c.tls().nodes() != null && c.tls().nodes().keyPassword() != null) out.add(c.tls().nodes().keyPassword());
            if (c.tls().sentinels() != null && c.tls().sentinels().keyPassword() != null) out.add(c.tls().sentinels().keyPassword());
        }
        if (admin.password() != null) out.add(admin.password());
        if (admin.tls() != null && admin.tls().keyPassword() != null) out.add(admin.tls().keyPassword());
        return out;
    }

    private static void addSecret(List<String> out, Credentials c) {
        if (c != null && c.present()) out.add(c.password());
    }

    static String redact(String text, List<String> secrets) {
        if (text == null) return "";
        String out = text;
        for (String s : secrets) {
            if (!s.isEmpty() && out.contains(s)) out = out.replace(s, "****");
        }
        return out;
    }

    static String ferryVersion() {
        String v = Ferry.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
