package dev.ferry.admin;

import static org.awaitility.Awaitility.await;

import dev.ferry.Ferry;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.FerryConfig;
import dev.ferry.config.HostPort;
import dev.ferry.demo.group.PortAllocator;
import dev.ferry.demo.group.RedisGroup;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.stream.Collectors;

/** A real Ferry with its admin listener in front of a test Redis group, and an HTTP client for the admin pages. */
final class RunningFerry implements AutoCloseable {
    static final String ADMIN_USER = "admin";
    static final String ADMIN_PASSWORD = "adm1n-Secr3t";

    final Ferry ferry;
    final AdminServer admin;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RunningFerry(Ferry ferry, AdminServer admin) {
        this.ferry = ferry;
        this.admin = admin;
    }

    /** One frontend "orders" for the group, admin with basic auth; {@code adminExtra} adds YAML lines under admin:. */
    static RunningFerry forGroup(RedisGroup group, String adminExtra) throws Exception {
        return start(frontend("orders", group.masterName(), group.sentinelAddresses().stream().map(HostPort::toString)
                .collect(Collectors.joining(", ")), group.password()), adminExtra);
    }

    /** YAML of one frontend entry (under frontends:), on a free port, checking every 200 ms. */
    static String frontend(String name, String masterName, String sentinels, String password) {
        return "  - name: " + name + "\n"
                + "    bind: 127.0.0.1:0\n"
                + "    master: " + masterName + "\n"
                + "    sentinels: [" + sentinels + "]\n"
                + (password == null ? "" : "    password: " + password + "\n")
                + "    check: {interval: 200ms, timeout: 300ms}\n"
                + "    wait-for-master: 1s\n";
    }

    static RunningFerry start(String frontends, String adminExtra) throws Exception {
        // A fixed free port: the config loader refuses a second 127.0.0.1:0 as a duplicate bind.
        return start(frontends, PortAllocator.next(), "ferry-test-1", adminExtra);
    }

    static RunningFerry start(String frontends, int adminPort, String nodeName, String adminExtra) throws Exception {
        String yaml = "frontends:\n" + frontends
                + "admin:\n"
                + "  bind: 127.0.0.1:" + adminPort + "\n"
                + "  user: " + ADMIN_USER + "\n"
                + "  password: " + ADMIN_PASSWORD + "\n"
                + "  refresh: 30s\n"
                + "  node-name: " + nodeName + "\n"
                + adminExtra;
        FerryConfig cfg = new ConfigLoader().parse(Path.of("test.yaml"), yaml);
        Ferry ferry = Ferry.start(cfg);
        AdminServer admin = new AdminServer(cfg.admin().get(), ferry);
        try {
            admin.start();
        } catch (Exception e) {
            ferry.close();
            throw e;
        }
        return new RunningFerry(ferry, admin);
    }

    /** Waits until every frontend routes to a master. */
    RunningFerry awaitMaster() {
        await().atMost(Duration.ofSeconds(20)).until(() -> ferry.frontends().stream()
                .allMatch(f -> f.topology().snapshot().verdict().hasMaster()));
        return this;
    }

    HostPort frontendAddress() {
        return ferry.frontends().get(0).server().boundAddress();
    }

    HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, basic(ADMIN_USER, ADMIN_PASSWORD));
    }

    HttpResponse<String> getWithoutCredentials(String path) throws Exception {
        return send("GET", path, null);
    }

    HttpResponse<String> send(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + admin.boundAddress() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) b.header("Authorization", authorization);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        admin.close();
        ferry.close();
    }
}
