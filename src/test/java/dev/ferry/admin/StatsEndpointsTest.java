package dev.ferry.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.config.HostPort;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.testkit.FerryHarness;
import dev.ferry.testkit.RespClient;
import dev.ferry.testkit.TestGroup;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatsEndpointsTest {
    private static final String REDIS_PASSWORD = "pw-Kq81zRedis";

    private RedisGroup group;
    private FerryHarness ferry;
    private HostPort master;

    @BeforeAll
    void start() throws Exception {
        group = TestGroup.start(REDIS_PASSWORD);
        master = group.nodeAddresses().get(0);
        ferry = FerryHarness.withAdmin(group);
        await().atMost(Duration.ofSeconds(10)).until(() -> ferry.snapshot().nodes().size() == 3);
    }

    @AfterAll
    void stop() {
        if (ferry != null) ferry.close();
        if (group != null) group.close();
    }

    @Test
    void statsPageShowsTheMasterInAGreenBanner() throws Exception {
        HttpResponse<String> r = ferry.get("/stats");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(r.body()).contains("<div class=\"banner ok\">", "data-status=\"master\">master " + master + "</div>");
    }

    @Test
    void statsPageSaysWhatAnIsolatedMasterCouldStillLoseWithoutMinReplicasToWrite() throws Exception {
        // The test group runs with Redis's default min-replicas-to-write 0.
        assertThat(ferry.get("/stats").body()).contains("note: master " + master + " runs without min-replicas-to-write");
    }

    @Test
    void statsPageRefreshesAtTheConfiguredIntervalAndNamesTheNode() throws Exception {
        String page = ferry.get("/stats").body();

        assertThat(page).contains("<meta http-equiv=\"refresh\" content=\"30\">", "<b id=\"node\">ferry-test-1</b>");
    }

    @Test
    void statsPageHidesTheVersionUnlessShowVersionIsOn() throws Exception {
        String page = ferry.get("/stats").body();

        assertThat(page).doesNotContain("version");
        assertThat(ferry.get("/stats.json").body()).doesNotContain("\"version\"");
    }

    @Test
    void statsPageListsEveryNodeAndSentinel() throws Exception {
        String page = ferry.get("/stats").body();

        assertThat(page).contains(group.nodeAddresses().stream().map(a -> "<code>" + a + "</code>").toList());
        assertThat(page).contains(group.sentinelAddresses().stream().map(a -> "<code>" + a + "</code>").toList());
        assertThat(page).contains("3/3 Sentinels answer");
    }

    @Test
    void statsJsonListsEveryNodeWithItsRole() throws Exception {
        HttpResponse<String> r = ferry.get("/stats.json");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.body()).contains("\"name\":\"orders\"", "\"status\":\"master\"", "\"master\":\"" + master + "\"");
        assertThat(r.body()).contains("{\"address\":\"" + master + "\",\"status\":\"MASTER\"");
        for (HostPort replica : group.nodeAddresses().subList(1, 3)) {
            assertThat(r.body()).contains("{\"address\":\"" + replica + "\",\"status\":\"REPLICA\"");
        }
    }

    @Test
    void statsCsvHasAHeaderAndOneRowPerNode() throws Exception {
        HttpResponse<String> r = ferry.get("/stats.csv");

        List<String> lines = r.body().lines().toList();
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
        assertThat(lines.get(0)).startsWith("frontend,node,status,role,is_master,");
        assertThat(lines).hasSize(4);
        assertThat(lines.subList(1, 4)).allSatisfy(l -> assertThat(l).startsWith("orders,127.0.0.1:"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("orders," + master + ",MASTER,master,true,"));
    }

    @Test
    void statsCsvAnswersAtHaproxysSpellingToo() throws Exception {
        HttpResponse<String> r = ferry.get("/stats;csv");

        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
        assertThat(r.body().lines()).hasSize(4).first().asString().startsWith("frontend,node,");
    }

    @Test
    void statsCountClientSessionsAndBytes() throws Exception {
        try (RespClient c = RespClient.open(ferry.address(), "counted")) {
            assertThat(c.call("AUTH", REDIS_PASSWORD)).isEqualTo(RespClient.OK);
            assertThat(c.call("PING")).isEqualTo(RespClient.simple("PONG"));
        }

        String json = ferry.get("/stats.json").body();
        assertThat(json).containsPattern("\"sessions_total\":[1-9]");
        assertThat(json).containsPattern("\"bytes_in\":[1-9]");
        assertThat(json).containsPattern("\"bytes_out\":[1-9]");
    }

    @Test
    void metricsExposeFerrysMetricsWithFrontendLabels() throws Exception {
        HttpResponse<String> r = ferry.get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        String node = "{frontend=\"orders\",node=\"" + master + "\"}";
        assertThat(r.body()).contains(
                "ferry_sessions_active" + node,
                "ferry_sessions_total" + node,
                "ferry_bytes_received_total" + node,
                "ferry_bytes_sent_total" + node,
                "ferry_connect_errors_total" + node,
                "ferry_sessions_cut_total" + node,
                "ferry_sessions_moved_total" + node,
                "ferry_commands_resent_total" + node,
                "ferry_node_up" + node + " 1",
                "ferry_node_is_master" + node + " 1",
                "ferry_node_check_latency_seconds" + node,
                "ferry_clients_waiting{frontend=\"orders\"}",
                "ferry_wait_timeouts_total{frontend=\"orders\"}",
                "ferry_master_changes_total{frontend=\"orders\"}",
                "ferry_switch_duration_seconds_bucket{frontend=\"orders\",le=",
                "ferry_switch_duration_seconds_count{frontend=\"orders\"}",
                "ferry_frontend_has_master{frontend=\"orders\"} 1",
                "ferry_fences_total{frontend=\"orders\"}",
                "ferry_sentinel_events_total{frontend=\"orders\"}",
                "ferry_sentinel_up{frontend=\"orders\",sentinel=\"" + group.sentinelAddresses().get(0) + "\"} 1");
        for (HostPort replica : group.nodeAddresses().subList(1, 3)) {
            assertThat(r.body()).contains("ferry_node_is_master{frontend=\"orders\",node=\"" + replica + "\"} 0");
        }
    }

    @Test
    void healthIsOkWithoutCredentialsWhileEveryFrontendHasAMaster() throws Exception {
        HttpResponse<String> r = ferry.getWithoutCredentials("/health");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok: orders master " + master + "\n");
    }

    @Test
    void missingCredentialsAreRefusedWithABasicChallenge() throws Exception {
        for (String path : List.of("/stats", "/stats.json", "/stats.csv", "/metrics", "/")) {
            HttpResponse<String> r = ferry.getWithoutCredentials(path);

            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).hasValue("Basic realm=\"ferry\"");
        }
    }

    @Test
    void wrongCredentialsAreRefusedWithABasicChallenge() throws Exception {
        for (String auth : List.of(FerryHarness.basic("admin", "wrong"), FerryHarness.basic("root", FerryHarness.ADMIN_PASSWORD),
                FerryHarness.basic("admin", FerryHarness.ADMIN_PASSWORD + "x"), "Basic !!notbase64", "Bearer abc")) {
            HttpResponse<String> r = ferry.send("GET", "/stats", auth);

            assertThat(r.statusCode()).as(auth).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(auth).hasValue("Basic realm=\"ferry\"");
            assertThat(r.body()).doesNotContain("master");
        }
    }

    @Test
    void noPageShowsARedisOrAdminPassword() throws Exception {
        for (String path : List.of("/stats", "/stats.json", "/stats.csv", "/metrics", "/health", "/nope")) {
            String body = ferry.get(path).body();

            assertThat(body).as(path).doesNotContain(REDIS_PASSWORD).doesNotContain(FerryHarness.ADMIN_PASSWORD);
        }
    }

    @Test
    void theRootRedirectsToTheStatsPage() throws Exception {
        HttpResponse<String> r = ferry.get("/");

        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValue("/stats");
    }

    @Test
    void unknownPathsAreNotFound() throws Exception {
        assertThat(ferry.get("/stats/../etc/passwd").statusCode()).isEqualTo(404);
        assertThat(ferry.get("/admin").statusCode()).isEqualTo(404);
    }

    @Test
    void methodsOtherThanGetAndHeadAreNotAllowed() throws Exception {
        String auth = FerryHarness.basic(FerryHarness.ADMIN_USER, FerryHarness.ADMIN_PASSWORD);
        for (String method : List.of("POST", "PUT", "DELETE")) {
            HttpResponse<String> r = ferry.send(method, "/stats", auth);

            assertThat(r.statusCode()).as(method).isEqualTo(405);
            assertThat(r.headers().firstValue("Allow")).as(method).hasValue("GET, HEAD");
        }
    }

    @Test
    void headOnHealthAnswersWithoutABody() throws Exception {
        HttpResponse<String> r = ferry.send("HEAD", "/health", null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void thePageLoadsNothingFromElsewhere() throws Exception {
        HttpResponse<String> r = ferry.get("/stats");

        assertThat(r.body()).doesNotContain("<script", "<link", "src=", "http://", "https://", "@import");
        assertThat(r.headers().firstValue("Content-Security-Policy").orElse("")).startsWith("default-src 'none'");
    }
}
