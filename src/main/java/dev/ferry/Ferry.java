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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running Ferry: per frontend a topology, a router and a listener, sharing one Netty transport. */
public final class Ferry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Ferry.class);

    /** Everything one frontend runs on, for the admin side to read. */
    public record Frontend(FrontendConfig config, Topology topology, Router router, FrontendServer server) {}

    private final FerryConfig config;
    private final Transport transport;
    private final List<Frontend> frontends = new ArrayList<>();
    private final List<AutoCloseable> extras = new ArrayList<>();
    private final CertificateWatcher certificates = new CertificateWatcher(CertificateWatcher.DEFAULT_INTERVAL);
    private boolean closed;

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
                Topology topology = new Topology(fc);
                topology.addListener(router);
                router.onStaleMaster(node -> topology.requestRound("a client was refused as by a replica (-READONLY) on " + node));
                f.frontends.add(new Frontend(fc, topology, router, server));
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
        transport.close();
    }
}
