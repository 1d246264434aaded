package dev.ferry;

import dev.ferry.config.FerryConfig;
import dev.ferry.config.FrontendConfig;
import dev.ferry.proxy.BindFailure;
import dev.ferry.proxy.FrontendServer;
import dev.ferry.proxy.Router;
import dev.ferry.proxy.Transport;
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
            }
            f.frontends.forEach(fr -> fr.topology().start());
            for (Frontend fr : f.frontends) {
                log.info("[{}] listening on {} ({}), master name '{}', Sentinels {}, servers {}", fr.config().name(),
                        fr.server().boundAddress(), f.transport.name(), fr.config().masterName(), fr.config().sentinels(),
                        fr.config().servers());
            }
            return f;
        } catch (BindFailure | RuntimeException e) {
            f.close();
            throw e;
        }
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
        for (Frontend fr : frontends) {
            fr.server().close();
            fr.topology().close();
        }
        transport.close();
    }
}
