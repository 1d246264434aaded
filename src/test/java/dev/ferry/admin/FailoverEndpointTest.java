package dev.ferry.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.Main;
import dev.ferry.config.HostPort;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.testkit.FerryHarness;
import dev.ferry.testkit.TestConfig;
import dev.ferry.testkit.TestGroup;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /failover} on the admin port, and {@code ferry failover} using it. */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverEndpointTest {
    RedisGroup group;
    FerryHarness ferry;
    @TempDir Path dir;

    @BeforeAll
    void start() throws Exception {
        group = TestGroup.start("pw-admin-failover");
        ferry = FerryHarness.withAdmin(group);
    }

    @AfterAll
    void stop() {
        if (ferry != null) ferry.close();
        if (group != null) group.close();
    }

    private String auth() {
        return FerryHarness.basic(FerryHarness.ADMIN_USER, FerryHarness.ADMIN_PASSWORD);
    }

    @Test
    void failoverNeedsCredentials() throws Exception {
        assertThat(ferry.send("POST", "/failover", null).statusCode()).isEqualTo(401);
    }

    @Test
    void failoverTakesOnlyPost() throws Exception {
        HttpResponse<String> r = ferry.send("GET", "/failover", auth());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void anUnknownFrontendIsABadRequest() throws Exception {
        HttpResponse<String> r = ferry.send("POST", "/failover?frontend=nope", auth());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("known: [orders]");
    }

    @Test
    void aTargetThatIsNotAReplicaIsRefusedWith409() throws Exception {
        HttpResponse<String> r = ferry.send("POST", "/failover?frontend=orders&to=127.0.0.1:1", auth());
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(r.body()).contains("is not a known replica of");
    }

    @Test
    void ferryFailoverAsksTheRunningFerryAndPrintsItsReport() throws Exception {
        HostPort before = ferry.routedMaster();
        Path cfg = dir.resolve("ferry.yaml");
        TestConfig.following(group).admin(TestConfig.Admin.on(ferry.adminAddress().port())
                .login(FerryHarness.ADMIN_USER, FerryHarness.ADMIN_PASSWORD)).writeTo(cfg);
        PrintStream out = System.out;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            code = Main.execute("failover", "--config", cfg.toString(), "--frontend", "orders");
        } finally {
            System.setOut(out);
        }
        String report = o.toString(StandardCharsets.UTF_8);
        assertThat(code).as(report).isZero();
        assertThat(report).contains("planned failover of 'orders': DONE").contains("master          " + before + " -> ")
                .contains("cut on " + before);
        HostPort after = ferry.routedMaster();
        assertThat(after).isNotEqualTo(before);
        assertThat(group.awaitSentinelsAgree(Duration.ofSeconds(30))).isEqualTo(after);
    }
}
