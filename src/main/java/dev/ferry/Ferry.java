package dev.ferry;

import dev.ferry.config.FerryConfig;
import dev.ferry.config.FrontendConfig;
import dev.ferry.config.FrontendTlsConfig;
import dev.ferry.proxy.BindFailure;
import dev.ferry.proxy.FrontendServer;
import dev.ferry.proxy.Router;
import dev.ferry.proxy.Transport;
import dev.ferry.tls.CertificateWatcher;
import dev.ferry.tls.ClientTls;
import dev.ferry.tls.TlsProvider;
import dev.ferry.topology.Topology;
import dev.ferry.config.ConfigChanges;
import dev.ferry.config.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running Ferry: per frontend a topology, a router and a listener, sharing one Netty transport. */
public final class Ferry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Ferry.class);

    /** Everything one frontend runs on, for the admin side to read. */
    public record Frontend(FrontendConfig config, Topology topology, Router router, FrontendServer server) {}

    private volatile FerryConfig config;
    private final Transport transport;
    private final List<Frontend> frontends = new CopyOnWriteArrayList<>();
    /** Frontends a reload removed, still serving the sessions they had until those end. */
    private final List<Frontend> draining = new CopyOnWriteArrayList<>();
    public final LongAdder reloads = new LongAdder();
    public final LongAdder reloadsRefused = new LongAdder();
    private final List<AutoCloseable> extras = new ArrayList<>();
    private final CertificateWatcher certificates = new CertificateWatcher(CertificateWatcher.DEFAULT_INTERVAL);
    private volatile boolean closed;

    private Ferry(FerryConfig config) {
        this.config = config;
        this.transport = Transport.forThisMachine();
    }

    /** Binds every listener first (so a port in use fails before anything starts), then starts checking. */
    public static Ferry start(FerryConfig config) throws BindFailure {
        Ferry f = new Ferry(config);
        try {
            for (FrontendConfig fc : config.frontends()) {
                Router router = new Router(fc.name());
                FrontendServer server = new FrontendServer(fc, router, f.transport);
                server.start();
                f.frontends.add(new Frontend(fc, connect(new Topology(fc), router), router, server));
                f.watchCertificates(fc, server);
            }
            f.frontends.forEach(fr -> fr.topology().start());
            for (Frontend fr : f.frontends) {
                log.info("[{}] listening on {} ({}{}), master name '{}', Sentinels {}, servers {}", fr.config().name(),
                        fr.server().boundAddress(), f.transport.name(), tlsNote(fr), fr.config().masterName(), fr.config().sentinels(),
                        fr.config().servers());
            }
            return f;
        } catch (BindFailure | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    private static Topology connect(Topology topology, Router router) {
        topology.addListener(router);
        router.onStaleMaster(node -> topology.requestRound("a client was refused as by a replica (-READONLY) on " + node));
        return topology;
    }

    /**
     * Applies a new, already validated configuration without a restart. Frontends added start; frontends
     * removed stop listening and drain (their sessions go on until they end); a changed frontend keeps its
     * sessions: new connections get the new settings, and settings of its checks (Sentinels, servers,
     * passwords, check, fence, node and Sentinel TLS) start a new topology that takes over routing once it
     * has checked. Frontends that did not change are not touched. Every listener is bound before anything
     * changes, so a port in use refuses the whole reload and the running configuration stays.
     */
    public synchronized ConfigChanges reload(FerryConfig next) throws BindFailure, ConfigException {
        ConfigChanges changes = ConfigChanges.between(config, next);
        Map<String, FrontendServer> newServers = new LinkedHashMap<>();
        List<FrontendServer> closeOnFailure = new ArrayList<>();
        try {
            for (FrontendConfig fc : next.frontends()) {
                Frontend now = frontend(fc.name()).orElse(null);
                if (now == null) {
                    FrontendServer s = new FrontendServer(fc, new Router(fc.name()), transport);
                    closeOnFailure.add(s);
                    s.start();
                    newServers.put(fc.name(), s);
                } else if (changes.changed().containsKey(fc.name()) && ConfigChanges.needsNewListener(now.config(), fc)
                        && !now.config().bind().equals(fc.bind())) {
                    FrontendServer s = new FrontendServer(fc, now.router(), transport);
                    closeOnFailure.add(s);
                    s.start();
                    newServers.put(fc.name(), s);
                }
            }
        } catch (BindFailure | RuntimeException e) {
            closeOnFailure.forEach(FrontendServer::close);
            throw e;
        }
        for (String name : changes.removed()) {
            Frontend gone = frontend(name).orElseThrow();
            gone.server().close();
            frontends.remove(gone);
            draining.add(gone);
            certificates.forget(gone.server().tls().server());
        }
        for (FrontendConfig fc : next.frontends()) {
            Frontend now = frontend(fc.name()).orElse(null);
            if (now == null) {
                FrontendServer s = newServers.get(fc.name());
                Frontend added = new Frontend(fc, connect(new Topology(fc), s.router()), s.router(), s);
                frontends.add(added);
                watchCertificates(fc, s);
                added.topology().start();
                log.info("[{}] listening on {} ({}{}), master name '{}', Sentinels {}, servers {}", fc.name(), s.boundAddress(),
                        transport.name(), tlsNote(added), fc.masterName(), fc.sentinels(), fc.servers());
            } else if (changes.changed().containsKey(fc.name())) {
                frontends.set(frontends.indexOf(now), changed(now, fc, changes.changed().get(fc.name()), newServers.get(fc.name())));
            }
        }
        config = next;
        if (!draining.isEmpty()) drainLater();
        return changes;
    }

    private Frontend changed(Frontend now, FrontendConfig fc, List<String> keys, FrontendServer rebound) throws BindFailure, ConfigException {
        FrontendServer server = now.server();
        if (rebound != null) {
            server.close();
            server = rebound;
        } else if (ConfigChanges.needsNewListener(now.config(), fc)) {
            // TLS turned on or off on the same address: the old listener must go first.
            server.close();
            server = new FrontendServer(fc, now.router(), transport);
            server.start();
        } else {
            server.update(fc, ConfigChanges.needsNewUpstream(keys));
        }
        certificates.forget(now.server().tls().server());
        watchCertificates(fc, server);
        Topology topology = now.topology();
        if (ConfigChanges.needsNewTopology(keys)) {
            // The old one stops first, so only one ever steers the router; the new one's first verdict for
            // the same master leaves every session where it is.
            topology.close();
            topology = connect(new Topology(fc), now.router());
            topology.start();
        }
        return new Frontend(fc, topology, now.router(), server);
    }

    /** Closes the checks of removed frontends once their last session has ended. */
    private void drainLater() {
        Thread t = new Thread(() -> {
            while (!draining.isEmpty() && !closed) {
                for (Frontend fr : draining) {
                    if (fr.router().stats().sessionsNow.sum() == 0) {
                        fr.topology().close();
                        draining.remove(fr);
                        log.info("[{}] drained: its last client session ended; frontend removed", fr.config().name());
                    }
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "ferry-drain");
        t.setDaemon(true);
        t.start();
    }

    /** Frontends a reload removed whose sessions have not all ended yet. */
    public List<Frontend> draining() {
        return List.copyOf(draining);
    }

    /** Certificates of the frontend's listener and of its node and Sentinel links, reloaded when their files change. */
    private void watchCertificates(FrontendConfig fc, FrontendServer server) {
        certificates.watch(server.tls().server());
        if (fc.tls().nodes() != null) certificates.watch(ClientTls.of(fc.tls().nodes()));
        if (fc.tls().sentinels() != null) certificates.watch(ClientTls.of(fc.tls().sentinels()));
    }

    private static String tlsNote(Frontend fr) {
        FrontendTlsConfig t = fr.config().tls();
        StringBuilder b = new StringBuilder();
        if (t.towardClients()) b.append(", TLS through ").append(TlsProvider.describe());
        if (fr.server().plaintextAddress() != null) b.append("; plaintext on ").append(fr.server().plaintextAddress());
        if (t.nodes() != null) b.append("; TLS to nodes");
        if (t.sentinels() != null) b.append("; TLS to Sentinels");
        return b.toString();
    }

    /** Reloads certificates when their files change (the admin listener's too). */
    public CertificateWatcher certificates() {
        return certificates;
    }

    public FerryConfig config() {
        return config;
    }

    public List<Frontend> frontends() {
        return List.copyOf(frontends);
    }

    public Optional<Frontend> frontend(String name) {
        return frontends.stream().filter(fr -> fr.config().name().equals(name)).findFirst();
    }

    public Transport transport() {
        return transport;
    }

    /** Closed with Ferry, before the transport (the admin server, say). */
    public void closeWithMe(AutoCloseable c) {
        extras.add(c);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (AutoCloseable c : extras) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing {}: {}", c, e.toString());
            }
        }
        certificates.close();
        for (Frontend fr : frontends) {
            fr.server().close();
            fr.topology().close();
        }
        for (Frontend fr : draining) fr.topology().close();
        transport.close();
    }
}
