package dev.ferry;

import dev.ferry.config.ConfigLoader;
import dev.ferry.config.FerryConfig;
import dev.ferry.config.HostPort;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.resp.RedisLink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Starts a real Ferry in front of a real Redis group, for tests. */
public final class FerryHarness implements AutoCloseable {
    public final RedisGroup group;
    public final Ferry ferry;

    private FerryHarness(RedisGroup group, Ferry ferry) {
        this.group = group;
        this.ferry = ferry;
    }

    /** A frontend named "orders" on a free port, asking the group's Sentinels; {@code extra} adds YAML lines. */
    public static FerryHarness front(RedisGroup group, String... extra) throws Exception {
        return start(group, yaml(group, group.sentinelAddresses(), List.of(), extra));
    }

    public static FerryHarness start(RedisGroup group, String yaml) throws Exception {
        FerryConfig cfg = new ConfigLoader().parse(Path.of("test.yaml"), yaml);
        return new FerryHarness(group, Ferry.start(cfg));
    }

    public static String yaml(RedisGroup group, List<HostPort> sentinels, List<HostPort> servers, String... extra) {
        StringBuilder y = new StringBuilder("frontends:\n  - name: orders\n    bind: 127.0.0.1:0\n");
        if (!sentinels.isEmpty()) {
            y.append("    master: ").append(group.masterName()).append('\n');
            y.append("    sentinels: [").append(sentinels.stream().map(HostPort::toString).collect(Collectors.joining(", "))).append("]\n");
        }
        if (!servers.isEmpty()) {
            y.append("    servers: [").append(servers.stream().map(HostPort::toString).collect(Collectors.joining(", "))).append("]\n");
        }
        if (group.password() != null) y.append("    password: ").append(group.password()).append('\n');
        y.append("    check: { interval: 500ms, timeout: 300ms }\n");
        for (String e : extra) y.append("    ").append(e).append('\n');
        return y.toString();
    }

    public HostPort address() {
        return ferry.frontends().get(0).server().boundAddress();
    }

    public HostPort routedMaster() {
        return ferry.frontends().get(0).topology().snapshot().verdict().master();
    }

    /** The port of the Redis node a new connection through Ferry reaches ({@code CONFIG GET port}). */
    public int portBehind() throws Exception {
        try (RedisLink l = RedisLink.open(address(), group.credentials(), Duration.ofSeconds(6), null)) {
            Object r = l.call("CONFIG", "GET", "port");
            return Integer.parseInt(String.valueOf(((List<?>) r).get(1)));
        }
    }

    public RedisLink connect() throws Exception {
        return RedisLink.open(address(), group.credentials(), Duration.ofSeconds(6), null);
    }

    @Override
    public void close() {
        ferry.close();
    }
}
