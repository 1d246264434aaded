package dev.ferry.testkit;

import static dev.ferry.testkit.Waits.SWITCH;
import static org.awaitility.Awaitility.await;

import dev.ferry.Ferry;
import dev.ferry.Launcher;
import dev.ferry.admin.AdminServer;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.Credentials;
import dev.ferry.config.FerryConfig;
import dev.ferry.config.HostPort;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.resp.RedisLink;
import dev.ferry.topology.TopologySnapshot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real Ferry started in this JVM as {@code ferry run} starts it (its admin listener too, when the
 * configuration has one), usually in front of a real Redis group: where it listens, where it routes, the
 * waits tests use, and HTTP requests to its admin pages. Closing it twice is harmless.
 */
public final class FerryHarness implements AutoCloseable {
    public static final String ADMIN_USER = TestConfig.ADMIN_USER;
    public static final String ADMIN_PASSWORD = TestConfig.ADMIN_PASSWORD;

    /** The group behind it; null when the test started none. */
    public final RedisGroup group;
    public final Ferry ferry;
    private final AdminServer admin;
    /** Kept from the start, so that a test can still try them once the instance is closed. */
    private final HostPort address;
    private final HostPort adminAddress;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicBoolean closed = new AtomicBoolean();

    private FerryHarness(RedisGroup group, Launcher.Started started) {
        this.group = group;
        this.ferry = started.ferry();
        this.admin = started.admin().orElse(null);
        this.address = frontend().server().boundAddress();
        this.adminAddress = admin == null ? null : admin.boundAddress();
    }

    /** Ferry as {@link TestConfig} describes it, in front of {@code group} (null for none). */
    public static FerryHarness start(RedisGroup group, TestConfig config) throws Exception {
        return start(group, config.load());
    }

    /** Ferry as {@link TestConfig} describes it, with no group of the test's behind it. */
    public static FerryHarness start(TestConfig config) throws Exception {
        return start(null, config);
    }

    /** Frontend "orders" following {@code group} ({@link TestConfig#following}); {@code settings} are "key: value" lines of the frontend. */
    public static FerryHarness front(RedisGroup group, String... settings) throws Exception {
        return start(group, yaml(group, group.sentinelAddresses(), List.of(), settings));
    }

    /** Frontend "orders" following {@code group}, and the admin listener of {@link TestConfig#withAdmin}; returns once it routes. */
    public static FerryHarness withAdmin(RedisGroup group) throws Exception {
        return start(group, TestConfig.following(group).withAdmin()).awaitMaster();
    }

    /** Ferry from a configuration written out (a test that edits the text, say). */
    public static FerryHarness start(RedisGroup group, String yaml) throws Exception {
        return start(group, new ConfigLoader().parse(Path.of("test.yaml"), yaml));
    }

    /**
     * The text of frontend "orders" on a free port with the tests' checks: following {@code sentinels} when
     * there are any, checking {@code servers} when there are any, with the group's password;
     * {@code settings} are further "key: value" lines.
     */
    public static String yaml(RedisGroup group, List<HostPort> sentinels, List<HostPort> servers, String... settings) {
        TestConfig.Frontend f = TestConfig.Frontend.named("orders");
        if (!sentinels.isEmpty()) f.masterName(group.masterName()).sentinels(sentinels);
        if (!servers.isEmpty()) f.servers(servers);
        if (group.password() != null) f.password(group.password());
        f.checks(TestConfig.CHECK_INTERVAL, TestConfig.CHECK_TIMEOUT);
        for (String s : settings) {
            int colon = s.indexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("a setting is 'key: value', got '" + s + "'");
            f.set(s.substring(0, colon).trim(), s.substring(colon + 1).trim());
        }
        return TestConfig.of(f).yaml();
    }

    private static FerryHarness start(RedisGroup group, FerryConfig config) throws Exception {
        return new FerryHarness(group, Launcher.launch(config));
    }

    // ---- where it listens and routes

    /** The first frontend (most tests have only one). */
    public Ferry.Frontend frontend() {
        return ferry.frontends().get(0);
    }

    public TopologySnapshot snapshot() {
        return frontend().topology().snapshot();
    }

    /** Where the first frontend listens. */
    public HostPort address() {
        return address;
    }

    /** The master the first frontend routes to, or null. */
    public HostPort routedMaster() {
        return snapshot().verdict().master();
    }

    /** The port of the Redis node a new connection through Ferry reaches ({@code CONFIG GET port}). */
    public int portBehind() throws Exception {
        try (RedisLink l = connect()) {
            Object r = l.call("CONFIG", "GET", "port");
            return Integer.parseInt(String.valueOf(((List<?>) r).get(1)));
        }
    }

    /** A connection through Ferry, authenticated as a client of the group (as the frontend's own checks when there is no group). */
    public RedisLink connect() throws Exception {
        return RedisLink.open(address(), clientAuth(), Duration.ofSeconds(6), null);
    }

    public Credentials clientAuth() {
        return group != null ? group.credentials() : frontend().config().redisAuth();
    }

    // ---- waits

    /** Waits until the first frontend routes to a master; returns it. */
    public HostPort awaitRouted() {
        await().atMost(SWITCH).until(() -> routedMaster() != null);
        return routedMaster();
    }

    /** Waits until every frontend routes to a master. */
    public FerryHarness awaitMaster() {
        await().atMost(SWITCH).until(() -> ferry.frontends().stream().allMatch(f -> f.topology().snapshot().verdict().hasMaster()));
        return this;
    }

    /** Waits until Ferry routes to {@code target} and a new connection through it lands there. */
    public void awaitRoutedTo(HostPort target) {
        await().atMost(SWITCH).until(() -> target.equals(routedMaster()));
        await().atMost(SWITCH).until(() -> portBehind() == target.port());
    }

    /** Waits until Ferry routes to a master other than {@code old}; returns it. */
    public HostPort awaitMovedFrom(HostPort old) {
        await().atMost(SWITCH).until(() -> routedMaster() != null && !old.equals(routedMaster()));
        return routedMaster();
    }

    /** A node of the group other than the routed master: the target of a {@code FAILOVER TO}. */
    public HostPort aReplica() {
        HostPort master = awaitRouted();
        return group.nodeAddresses().stream().filter(n -> !n.equals(master)).findFirst().orElseThrow();
    }

    // ---- the admin listener

    public AdminServer admin() {
        if (admin == null) throw new IllegalStateException("this Ferry has no admin listener: TestConfig.withAdmin()");
        return admin;
    }

    public HostPort adminAddress() {
        admin();
        return adminAddress;
    }

    /** GET with the admin credentials of {@link TestConfig#withAdmin}. */
    public HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, basic(ADMIN_USER, ADMIN_PASSWORD));
    }

    public HttpResponse<String> getWithoutCredentials(String path) throws Exception {
        return send("GET", path, null);
    }

    /** One request to the admin listener; {@code authorization} is the header's value, or null for none. */
    public HttpResponse<String> send(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + adminAddress() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) b.header("Authorization", authorization);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Closes Ferry and its admin listener (the group is the test's to close). */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) ferry.close();
    }
}
