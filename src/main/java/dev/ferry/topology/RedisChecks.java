package dev.ferry.topology;

import dev.ferry.resp.Connector;
import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
import dev.ferry.resp.RedisException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link Checks} against real Sentinels and nodes: one probe (and its kept connection) per address. */
final class RedisChecks implements Checks {
    private final FrontendConfig config;
    private final Map<HostPort, SentinelProbe> sentinels = new ConcurrentHashMap<>();
    private final Map<HostPort, NodeProbe> nodes = new ConcurrentHashMap<>();

    RedisChecks(FrontendConfig config) {
        this.config = config;
    }

    @Override
    public SentinelReport sentinel(HostPort sentinel) {
        return sentinels.computeIfAbsent(sentinel,
                s -> new SentinelProbe(s, config.masterName(), Connector.toSentinels(config))).check();
    }

    @Override
    public NodeReport node(HostPort node) {
        return probe(node).check();
    }

    @Override
    public Object command(HostPort node, String... args) throws IOException {
        try {
            return probe(node).command(args);
        } catch (RedisException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private NodeProbe probe(HostPort node) {
        return nodes.computeIfAbsent(node, n -> new NodeProbe(n, Connector.toNodes(config)));
    }

    @Override
    public void close() {
        sentinels.values().forEach(SentinelProbe::close);
    }
}
