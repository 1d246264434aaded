package dev.ferry.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.demo.group.PortAllocator;
import dev.ferry.demo.group.RedisGroup;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Health, stats page and metrics of a Ferry that finds no master; all but one run without any Redis process. */
class HealthWithoutMasterTest {

    /** A frontend whose Sentinels are ports nothing listens on: it never finds a master. */
    private static String lostFrontend(String name) {
        return RunningFerry.frontend(name, "mymaster", "127.0.0.1:" + PortAllocator.next() + ", 127.0.0.1:" + PortAllocator.next(), null);
    }

    @Test
    void healthIs503NamingTheFrontendAndWhy() throws Exception {
        try (RunningFerry ferry = RunningFerry.start(lostFrontend("orders"), "")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> ferry.admin.model().frontends().get(0).rounds() > 0);

            HttpResponse<String> r = ferry.getWithoutCredentials("/health");

            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).startsWith("no master: orders (").endsWith(")\n");
        }
    }

    @Test
    void theStatsPageShowsNoMasterInARedBanner() throws Exception {
        try (RunningFerry ferry = RunningFerry.start(lostFrontend("orders"), "")) {
            String page = ferry.get("/stats").body();

            assertThat(page).contains("<div class=\"banner bad\">", "data-status=\"none\">NO MASTER</div>", "<title>NO MASTER - ");
        }
    }

    @Test
    void metricsShowTheFrontendWithoutMasterAndItsSentinelsDown() throws Exception {
        try (RunningFerry ferry = RunningFerry.start(lostFrontend("orders"), "")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> ferry.admin.model().frontends().get(0).rounds() > 0);

            String metrics = ferry.get("/metrics").body();

            assertThat(metrics).contains("ferry_frontend_has_master{frontend=\"orders\"} 0")
                    .containsPattern("ferry_sentinel_up\\{frontend=\"orders\",sentinel=\"127.0.0.1:[0-9]+\"} 0");
        }
    }

    @Test
    @Tag("integration")
    void healthIs503WhenOneOfTwoFrontendsHasNoMaster() throws Exception {
        try (RedisGroup group = RedisGroup.builder().password("pw").downAfterMillis(2000).start()) {
            String sentinels = group.sentinelAddresses().stream().map(Object::toString).collect(Collectors.joining(", "));
            String frontends = RunningFerry.frontend("orders", "mymaster", sentinels, "pw")
                    + lostFrontend("sessions").replace("127.0.0.1:0", "127.0.0.1:" + PortAllocator.next());
            try (RunningFerry ferry = RunningFerry.start(frontends, "")) {
                await().atMost(Duration.ofSeconds(20)).until(() -> ferry.admin.model().frontends().get(0).hasMaster());

                HttpResponse<String> r = ferry.getWithoutCredentials("/health");

                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.body()).startsWith("no master: sessions (").doesNotContain("orders");
            }
        }
    }

    @Test
    void healthNeedsCredentialsWhenHealthAuthIsOn() throws Exception {
        try (RunningFerry ferry = RunningFerry.start(lostFrontend("orders"), "  health-auth: true\n")) {
            HttpResponse<String> anonymous = ferry.getWithoutCredentials("/health");
            HttpResponse<String> authorized = ferry.get("/health");

            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"ferry\"");
            assertThat(authorized.statusCode()).isEqualTo(503);
        }
    }
}
