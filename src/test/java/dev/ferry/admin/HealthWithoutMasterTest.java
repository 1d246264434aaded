package dev.ferry.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.config.HostPort;
import dev.ferry.demo.group.PortAllocator;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.testkit.FerryHarness;
import dev.ferry.testkit.TestConfig;
import dev.ferry.testkit.TestGroup;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Health, stats page and metrics of a Ferry that finds no master; all but one run without any Redis process. */
class HealthWithoutMasterTest {
    /** A frontend whose Sentinels are ports nothing listens on: it never finds a master. */
    private static TestConfig.Frontend lostFrontend(String name) {
        return TestConfig.Frontend.named(name).masterName("mymaster")
                .sentinels(List.of(new HostPort("127.0.0.1", PortAllocator.next()), new HostPort("127.0.0.1", PortAllocator.next())))
                .checks(TestConfig.CHECK_INTERVAL, TestConfig.CHECK_TIMEOUT);
    }

    private static FerryHarness lost(TestConfig.Admin admin) throws Exception {
        return FerryHarness.start(TestConfig.of(lostFrontend("orders")).admin(admin));
    }

    @Test
    void healthIs503NamingTheFrontendAndWhy() throws Exception {
        try (FerryHarness ferry = lost(TestConfig.Admin.withLogin())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> ferry.snapshot().rounds() > 0);

            HttpResponse<String> r = ferry.getWithoutCredentials("/health");

            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).startsWith("no master: orders (").endsWith(")\n");
        }
    }

    @Test
    void theStatsPageShowsNoMasterInARedBanner() throws Exception {
        try (FerryHarness ferry = lost(TestConfig.Admin.withLogin())) {
            String page = ferry.get("/stats").body();

            assertThat(page).contains("<div class=\"banner bad\">", "data-status=\"none\">NO MASTER</div>", "<title>NO MASTER - ");
        }
    }

    @Test
    void metricsShowTheFrontendWithoutMasterAndItsSentinelsDown() throws Exception {
        try (FerryHarness ferry = lost(TestConfig.Admin.withLogin())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> ferry.snapshot().rounds() > 0);

            String metrics = ferry.get("/metrics").body();

            assertThat(metrics).contains("ferry_frontend_has_master{frontend=\"orders\"} 0")
                    .containsPattern("ferry_sentinel_up\\{frontend=\"orders\",sentinel=\"127.0.0.1:[0-9]+\"} 0");
        }
    }

    @Test
    @Tag("integration")
    void healthIs503WhenOneOfTwoFrontendsHasNoMaster() throws Exception {
        try (RedisGroup group = TestGroup.start("pw")) {
            TestConfig config = TestConfig.of(TestConfig.Frontend.named("orders").following(group)
                    .checks(TestConfig.CHECK_INTERVAL, TestConfig.CHECK_TIMEOUT), lostFrontend("sessions").bindPort(PortAllocator.next()));
            try (FerryHarness ferry = FerryHarness.start(group, config.withAdmin())) {
                await().atMost(Duration.ofSeconds(20)).until(() -> ferry.snapshot().verdict().hasMaster());

                HttpResponse<String> r = ferry.getWithoutCredentials("/health");

                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.body()).startsWith("no master: sessions (").doesNotContain("orders");
            }
        }
    }

    @Test
    void healthNeedsCredentialsWhenHealthAuthIsOn() throws Exception {
        try (FerryHarness ferry = lost(TestConfig.Admin.withLogin().healthAuth(true))) {
            HttpResponse<String> anonymous = ferry.getWithoutCredentials("/health");
            HttpResponse<String> authorized = ferry.get("/health");

            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"ferry\"");
            assertThat(authorized.statusCode()).isEqualTo(503);
        }
    }
}
