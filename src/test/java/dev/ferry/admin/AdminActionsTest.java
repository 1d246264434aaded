package dev.ferry.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.Ferry;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.FerryConfig;
import dev.ferry.demo.group.PortAllocator;
import dev.ferry.testkit.FerryHarness;
import dev.ferry.tls.TestCa;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Who may act through the admin listener: nobody without admin.password (403 saying how to enable it, the
 * read-only pages open), never a page of another site; the listener over HTTPS; no secret of any kind
 * (Redis and admin passwords, TLS key passwords, private keys) on a page, in metrics or in the log.
 */
class AdminActionsTest {
    static final String KEY_PASSWORD = "tls-k3y-Passphrase";

    private record Running(Ferry ferry, AdminServer admin) implements AutoCloseable {
        @Override
        public void close() {
            ferry.close();
        }
    }

    /** A Ferry whose one frontend points at a node that is not there: actions are refused before they would run. */
    private static Running start(Path dir, String adminLines, String frontendLines) throws Exception {
        String yaml = "frontends:\n  - name: orders\n    bind: 127.0.0.1:0\n    servers: [127.0.0.1:1]\n    password: redis-Secr3t\n"
                + frontendLines + "admin:\n  bind: 127.0.0.1:" + PortAllocator.next() + "\n" + adminLines;
        FerryConfig cfg = new ConfigLoader(Map.of("KEY_PW", KEY_PASSWORD)::get).parse(dir.resolve("ferry.yaml"), yaml);
        Ferry ferry = Ferry.start(cfg);
        AdminServer admin = new AdminServer(cfg.admin().get(), ferry);
        ferry.closeWithMe(admin);
        admin.start();
        return new Running(ferry, admin);
    }

    private static HttpResponse<String> send(HttpClient http, String url, String method, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutAnAdminPasswordActionsAreRefusedAndSayHowToEnableThem() throws Exception {
        Path dir = Files.createTempDirectory("ferry-admin-");
        try (Running running = start(dir, "", "")) {
            AdminServer admin = running.admin();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> r = send(http, "http://" + admin.boundAddress() + "/failover?frontend=orders", "POST", Map.of());
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("Set admin.password").contains("POST /failover");
            assertThat(send(http, "http://" + admin.boundAddress() + "/stats.json", "GET", Map.of()).statusCode())
                    .as("read-only pages stay open").isEqualTo(200);
        }
    }

    @Test
    void anActionFromAnotherSitesPageIsRefusedEvenWithCredentials() throws Exception {
        Path dir = Files.createTempDirectory("ferry-admin-");
        try (Running running = start(dir, "  password: adm1n-Secr3t\n", "")) {
            AdminServer admin = running.admin();
            HttpClient http = HttpClient.newHttpClient();
            String url = "http://" + admin.boundAddress() + "/failover?frontend=orders";
            String auth = FerryHarness.basic("admin", "adm1n-Secr3t");
            for (Map<String, String> crossSite : List.of(
                    Map.of("Authorization", auth, "Origin", "https://evil.example"),
                    Map.of("Authorization", auth, "Referer", "https://evil.example/page"),
                    Map.of("Authorization", auth, "Sec-Fetch-Site", "cross-site"))) {
                HttpResponse<String> r = send(http, url, "POST", crossSite);
                assertThat(r.statusCode()).as(crossSite.toString()).isEqualTo(403);
                assertThat(r.body()).as(crossSite.toString()).startsWith("cross-site request refused");
            }
            HttpResponse<String> sameOrigin = send(http, url, "POST", Map.of("Authorization", auth, "Origin", "http://" + admin.boundAddress()));
            assertThat(sameOrigin.statusCode()).as("this listener's own origin may act (the failover then fails: no node)").isNotEqualTo(403);
        }
    }

    @Test
    void theAdminListenerServesHttpsAndNoPageLogOrMetricHoldsASecret() throws Exception {
        Path dir = Files.createTempDirectory("ferry-admin-");
        TestCa ca = TestCa.create(dir, "admin");
        Instant now = Instant.now();
        TestCa.Issued cert = ca.issue("admin", TestCa.LOOPBACK, now.minusSeconds(3600), now.plus(Duration.ofDays(1)), KEY_PASSWORD);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        log.start();
        root.addAppender(log);
        String tls = "{ cert: " + cert.cert() + ", key: " + cert.key() + ", key-password: \"${KEY_PW}\" }";
        try (Running running = start(dir, "  password: adm1n-Secr3t\n  tls: " + tls + "\n",
                "    tls: " + tls + "\n    node-tls: { ca: " + ca.caFile() + ", cert: " + cert.cert() + ", key: " + cert.key()
                        + ", key-password: \"${KEY_PW}\" }\n")) {
            AdminServer admin = running.admin();
            JdkSslContext ssl = (JdkSslContext) SslContextBuilder.forClient().sslProvider(SslProvider.JDK).trustManager(ca.caFile().toFile()).build();
            HttpClient https = HttpClient.newBuilder().sslContext(ssl.context()).build();
            assertThat(admin.statsUrl()).startsWith("https://");
            String keyBody = Files.readAllLines(cert.key()).get(1);
            String auth = FerryHarness.basic("admin", "adm1n-Secr3t");
            for (String path : List.of("/stats", "/stats.json", "/stats.csv", "/metrics", "/health", "/nope")) {
                HttpResponse<String> r = send(https, "https://" + admin.boundAddress() + path, "GET", Map.of("Authorization", auth));
                assertThat(r.statusCode()).as(path).isIn(200, 404, 503);
                assertThat(r.body()).as(path).doesNotContain(KEY_PASSWORD, "adm1n-Secr3t", "redis-Secr3t", keyBody);
            }
            assertThat(send(https, "https://" + admin.boundAddress() + "/stats.json", "GET", Map.of("Authorization", auth)).body())
                    .contains("\"toward_clients\":true").contains("\"certificate\":\"CN=admin\"");
            // A failed action's error, too.
            HttpResponse<String> failed = send(https, "https://" + admin.boundAddress() + "/failover?frontend=orders", "POST", Map.of("Authorization", auth));
            assertThat(failed.body()).doesNotContain(KEY_PASSWORD, "adm1n-Secr3t", "redis-Secr3t");
        } finally {
            root.detachAppender(log);
        }
        assertThat(log.list).isNotEmpty();
        for (ILoggingEvent e : log.list) {
            assertThat(e.getFormattedMessage()).doesNotContain(KEY_PASSWORD, "adm1n-Secr3t", "redis-Secr3t");
        }
    }
}
