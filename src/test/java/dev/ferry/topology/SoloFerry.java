package dev.ferry.topology;

import static org.awaitility.Awaitility.await;

import dev.ferry.Ferry;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.Credentials;
import dev.ferry.proxy.TrafficStats;
import dev.ferry.resp.RedisLink;
import dev.ferry.testkit.PortAllocator;
import dev.ferry.testkit.RedisProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One redis-server (DEBUG allowed, {@code -BUSY} after 100 ms of script) and a Ferry in front of it with
 * static {@code servers:} (check every 500 ms, timeout 500 ms; so no tripwire unless asked),
 * as Redis's own test suite is run through Ferry; started once the node is routed. {@link #routingChanges} collects every verdict that changed
 * routing from then on.
 */
final class SoloFerry implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);

    final RedisProcess node;
    final Ferry ferry;
    final List<Verdict> routingChanges = new CopyOnWriteArrayList<>();

    private SoloFerry(RedisProcess node, Ferry ferry) {
        this.node = node;
        this.ferry = ferry;
    }

    /** @param extra frontend keys, one YAML line each (e.g. {@code tripwire: off}) */
    static SoloFerry start(Path dir, String... extra) throws Exception {
        RedisProcess node = RedisProcess.start(RedisProcess.Kind.SERVER, dir.resolve("redis"), PortAllocator.next(), null,
                List.of("save \"\"", "appendonly no", "protected-mode no", "enable-debug-command yes", "busy-reply-threshold 100"));
        StringBuilder yaml = new StringBuilder("frontends:\n  - name: solo\n    bind: 127.0.0.1:0\n    servers: [")
                .append(node.address()).append("]\n    check: { interval: 500ms, timeout: 500ms }\n");
        for (String e : extra) yaml.append("    ").append(e).append('\n');
        Ferry ferry;
        try {
            ferry = Ferry.start(new ConfigLoader().parse(Path.of("test.yaml"), yaml.toString()));
        } catch (Exception | Error e) {
            node.kill();
            throw e;
        }
        SoloFerry s = new SoloFerry(node, ferry);
        await().atMost(WAIT).until(() -> node.address().equals(s.topology().snapshot().verdict().master()));
        s.topology().addListener((before, now, roles) -> s.routingChanges.add(now));
        return s;
    }

    Topology topology() {
        return ferry.frontends().get(0).topology();
    }

    TrafficStats traffic() {
        return ferry.frontends().get(0).router().stats();
    }

    /** A client connection through Ferry. */
    RedisLink client(String name) throws Exception {
        return RedisLink.open(ferry.frontends().get(0).server().boundAddress(), Credentials.NONE, Duration.ofSeconds(15), name);
    }

    /** A connection straight to the node, as an operator's redis-cli. */
    RedisLink direct(String name) throws Exception {
        return RedisLink.open(node.address(), Credentials.NONE, Duration.ofSeconds(10), name);
    }

    NodeReport checked() {
        return topology().snapshot().nodes().get(0);
    }

    @Override
    public void close() {
        ferry.close();
        node.kill();
    }
}
