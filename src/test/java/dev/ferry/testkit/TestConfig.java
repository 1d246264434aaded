package dev.ferry.testkit;

import dev.ferry.config.ConfigException;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.FerryConfig;
import dev.ferry.config.HostPort;
import dev.ferry.config.ConnectionPolicy;
import dev.ferry.demo.group.PortAllocator;
import dev.ferry.demo.group.SentinelGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A Ferry configuration written by a test, in typed calls instead of YAML strings. It is rendered as the
 * YAML an operator would write and loaded with {@link ConfigLoader}, so every test config goes through
 * the same validation as a file.
 */
public final class TestConfig {
    /** The tests' checks: quicker than production's 1 s, so that waits stay short. */
    public static final Duration CHECK_INTERVAL = Duration.ofMillis(500);
    public static final Duration CHECK_TIMEOUT = Duration.ofMillis(300);
    public static final String ADMIN_USER = "admin";
    public static final String ADMIN_PASSWORD = "adm1n-Secr3t";

    private final List<Frontend> frontends;
    private Admin admin;

    private TestConfig(List<Frontend> frontends) {
        this.frontends = List.copyOf(frontends);
    }

    public static TestConfig of(Frontend... frontends) {
        if (frontends.length == 0) throw new IllegalArgumentException("a configuration needs a frontend");
        return new TestConfig(List.of(frontends));
    }

    /** One frontend "orders" on a free port following {@code group}, with the tests' checks. */
    public static TestConfig following(SentinelGroup group) {
        return of(Frontend.named("orders").following(group).checks(CHECK_INTERVAL, CHECK_TIMEOUT));
    }

    public TestConfig admin(Admin admin) {
        this.admin = admin;
        return this;
    }

    /** The admin listener of {@link Admin#withLogin()}. */
    public TestConfig withAdmin() {
        return admin(Admin.withLogin());
    }

    public Frontend frontend() {
        return frontends.get(0);
    }

    public String yaml() {
        StringBuilder y = new StringBuilder("frontends:\n");
        for (Frontend f : frontends) f.render(y);
        if (admin != null) admin.render(y);
        return y.toString();
    }

    /** Loads it as {@code ferry run --config} would. */
    public FerryConfig load() {
        try {
            return new ConfigLoader().parse(Path.of(frontend().name + ".yaml"), yaml());
        } catch (ConfigException e) {
            throw new IllegalArgumentException("the test's configuration is invalid: " + e.getMessage() + "\n" + yaml(), e);
        }
    }

    /** Writes it to {@code file} for a command that reads a file; returns the file. */
    public Path writeTo(Path file) {
        try {
            Files.writeString(file, yaml());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    @Override
    public String toString() {
        return yaml();
    }

    /** One entry under {@code frontends:}; unset keys are left out, so Ferry's defaults apply. */
    public static final class Frontend {
        private final String name;
        private final Map<String, String> keys = new LinkedHashMap<>();

        private Frontend(String name) {
            this.name = name;
            keys.put("bind", "127.0.0.1:0");
        }

        public static Frontend named(String name) {
            return new Frontend(name);
        }

        public String name() {
            return name;
        }

        public Frontend bind(HostPort address) {
            return set("bind", address.toString());
        }

        public Frontend bindPort(int port) {
            return bind(new HostPort("127.0.0.1", port));
        }

        /** The group's master name, its Sentinels and its password. */
        public Frontend following(SentinelGroup group) {
            masterName(group.masterName()).sentinels(group.sentinelAddresses());
            return group.password() == null ? this : password(group.password());
        }

        public Frontend masterName(String name) {
            return set("master", name);
        }

        public Frontend sentinels(List<HostPort> sentinels) {
            return set("sentinels", list(sentinels));
        }

        public Frontend servers(List<HostPort> servers) {
            return set("servers", list(servers));
        }

        public Frontend user(String user) {
            return set("user", user);
        }

        public Frontend password(String password) {
            return set("password", password);
        }

        public Frontend checks(Duration interval, Duration timeout) {
            return set("check", "{ interval: " + duration(interval) + ", timeout: " + duration(timeout) + " }");
        }

        public Frontend waitForMaster(Duration wait) {
            return set("wait-for-master", duration(wait));
        }

        public Frontend failoverHold(Duration hold) {
            return set("failover-hold", duration(hold));
        }

        public Frontend connections(ConnectionPolicy policy) {
            return set("connections", policy.key());
        }

        /** Any key as the configuration file spells it ({@code fence}, {@code sentinel-password}...); a later call replaces an earlier one. */
        public Frontend set(String key, String value) {
            keys.remove(key); // re-set keys go last, as a line appended to the file would
            keys.put(key, value);
            return this;
        }

        private void render(StringBuilder y) {
            y.append("  - name: ").append(name).append('\n');
            keys.forEach((k, v) -> y.append("    ").append(k).append(": ").append(v).append('\n'));
        }
    }

    /** The {@code admin:} block. */
    public static final class Admin {
        private final Map<String, String> keys = new LinkedHashMap<>();

        private Admin(HostPort bind) {
            keys.put("bind", bind.toString());
        }

        public static Admin on(int port) {
            return new Admin(new HostPort("127.0.0.1", port));
        }

        /** On a free port (not port 0: the loader refuses two binds of 127.0.0.1:0), basic auth as {@link #ADMIN_USER}, node name "ferry-test-1". */
        public static Admin withLogin() {
            return on(PortAllocator.next()).login(ADMIN_USER, ADMIN_PASSWORD).refresh(Duration.ofSeconds(30)).nodeName("ferry-test-1");
        }

        public HostPort bind() {
            return HostPort.parse(keys.get("bind"));
        }

        public Admin login(String user, String password) {
            return set("user", user).set("password", password);
        }

        public Admin nodeName(String name) {
            return set("node-name", name);
        }

        public Admin refresh(Duration refresh) {
            return set("refresh", duration(refresh));
        }

        public Admin healthAuth(boolean on) {
            return set("health-auth", Boolean.toString(on));
        }

        public Admin set(String key, String value) {
            keys.remove(key);
            keys.put(key, value);
            return this;
        }

        private void render(StringBuilder y) {
            y.append("admin:\n");
            keys.forEach((k, v) -> y.append("  ").append(k).append(": ").append(v).append('\n'));
        }
    }

    /** As the configuration file writes a duration: whole seconds as {@code 2s}, else milliseconds. */
    static String duration(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static String list(List<HostPort> addresses) {
        return addresses.stream().map(HostPort::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
