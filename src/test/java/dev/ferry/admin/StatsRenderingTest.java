package dev.ferry.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.admin.StatsModel.FrontendView;
import dev.ferry.admin.StatsModel.NodeView;
import dev.ferry.admin.StatsModel.SentinelView;
import dev.ferry.admin.StatsModel.SwitchView;
import dev.ferry.admin.StatsModel.Traffic;
import dev.ferry.config.HostPort;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The renderers on a hand-made model: escaping, quoting, the version, health wording. */
class StatsRenderingTest {
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final HostPort A = new HostPort("10.0.0.1", 6379);
    private static final HostPort B = new HostPort("10.0.0.2", 6379);
    private static final HostPort S = new HostPort("10.0.0.1", 26379);

    private static FrontendView frontend(String name, HostPort master, String reason, String detail) {
        Traffic t = new Traffic(1, 2, 3, 4, 0, 0, 0, 0, 0);
        NodeView node = new NodeView(A, master != null, master != null ? "master" : "unknown", A.equals(master), false, true,
                null, false, 10, detail, 250, NOW, NOW.minusSeconds(90), t);
        SentinelView sentinel = new SentinelView(S, true, false, true, A, 3, false, 1, 2, "", NOW);
        SwitchView sw = new SwitchView(NOW.minusSeconds(30), B, A, Duration.ofMillis(412), "SENTINELS", 3, reason);
        return new FrontendView(name, new HostPort("127.0.0.1", 6379), "mymaster", false, master, null, A, 3,
                master != null ? "SENTINELS" : "NONE", reason, List.of("the Sentinels disagree with the nodes"), List.of(), t,
                new StatsModel.Paths(2, 1, 100, 10, 5, 0), 0, 0, 0, 5, 0, 1,
                List.of(node), List.of(sentinel), List.of(sw), List.of(NOW + " " + S + " +switch-master mymaster 10.0.0.2 6379 10.0.0.1 6379"));
    }

    private static StatsModel model(String version, FrontendView... frontends) {
        return new StatsModel("ferry-1", version, NOW, Duration.ofSeconds(30), List.of(frontends));
    }

    @Test
    void thePageEscapesHtmlInEveryFreeText() {
        String page = StatsPage.render(model(null, frontend("orders", A, "<script>alert(1)</script>", "\"><img src=x>")));

        assertThat(page).doesNotContain("<script>", "<img").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
    }

    @Test
    void thePageShowsTheVersionOnlyWhenTheModelCarriesIt() {
        assertThat(StatsPage.render(model(null, frontend("orders", A, "ok", "")))).doesNotContain("version");
        assertThat(StatsPage.render(model("1.2.3", frontend("orders", A, "ok", "")))).contains("version 1.2.3", "Ferry 1.2.3");
    }

    @Test
    void thePageShowsWarningsSwitchesAndEvents() {
        String page = StatsPage.render(model(null, frontend("orders", A, "ok", "")));

        assertThat(page).contains("the Sentinels disagree with the nodes", "<code>10.0.0.2:6379</code> &rarr; <code>10.0.0.1:6379</code>",
                "412 ms", "+switch-master mymaster", "1m 30s");
    }

    @Test
    void severalFrontendsGetASummaryChipEach() {
        String page = StatsPage.render(model(null, frontend("orders", A, "ok", ""), frontend("sessions", null, "no Sentinel answers", "")));

        assertThat(page).contains("<a class=\"chip ok\" href=\"#fe-orders\">orders: 10.0.0.1:6379</a>",
                "<a class=\"chip bad\" href=\"#fe-sessions\">sessions: NO MASTER</a>");
    }

    @Test
    void theJsonEscapesQuotesBackslashesAndControlCharacters() {
        String json = StatsJson.render(model(null, frontend("orders", A, "say \"hi\"\\\n\u0001<", "")));

        assertThat(json).contains("\"reason\":\"say \\\"hi\\\"\\\\\\n\\u0001\\u003c\"");
    }

    @Test
    void theJsonLeavesTheVersionOutUnlessShown() {
        assertThat(StatsJson.render(model(null, frontend("orders", A, "ok", "")))).doesNotContain("\"version\"");
        assertThat(StatsJson.render(model("1.2.3", frontend("orders", A, "ok", "")))).contains("\"version\":\"1.2.3\"");
    }

    @Test
    void theCsvQuotesCellsWithCommasQuotesAndNewlines() {
        String csv = StatsCsv.render(model(null, frontend("orders", A, "ok", "refused, \"twice\"\nagain")));

        assertThat(csv).contains(",\"refused, \"\"twice\"\"\nagain\",");
        assertThat(StatsCsv.quote("plain")).isEqualTo("plain");
    }

    @Test
    void theCsvHeaderNamesEveryColumnOfARow() {
        String[] lines = StatsCsv.render(model(null, frontend("orders", A, "ok", ""))).split("\r\n");

        assertThat(lines).hasSize(2);
        assertThat(lines[1].split(",", -1)).hasSameSizeAs(StatsCsv.HEADER);
    }

    @Test
    void healthIsOkNamingEachMaster() {
        AdminHandler.Reply r = AdminHandler.health(model(null, frontend("orders", A, "ok", "")));

        assertThat(r.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(r.body()).isEqualTo("ok: orders master 10.0.0.1:6379\n");
    }

    @Test
    void healthIs503NamingEachFrontendWithoutMasterAndWhy() {
        AdminHandler.Reply r = AdminHandler.health(model(null, frontend("orders", A, "ok", ""),
                frontend("sessions", null, "no Sentinel answers", "")));

        assertThat(r.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(r.body()).isEqualTo("no master: sessions (no Sentinel answers)\n");
    }

    @Test
    void redactionHidesEveryConfiguredPassword() {
        assertThat(StatsModel.redact("AUTH s3cret failed for s3cret", List.of("s3cret"))).isEqualTo("AUTH **** failed for ****");
        assertThat(StatsModel.redact(null, List.of("x"))).isEmpty();
    }

    @Test
    void sizesAndDurationsReadLikeAnOperatorWouldWriteThem() {
        assertThat(StatsPage.bytes(512)).isEqualTo("512 B");
        assertThat(StatsPage.bytes(1536)).isEqualTo("1.50 KiB");
        assertThat(StatsPage.bytes(300L * 1024 * 1024)).isEqualTo("300 MiB");
        assertThat(StatsPage.age(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(StatsPage.age(Duration.ofSeconds(3 * 3600 + 120))).isEqualTo("3h 2m");
        assertThat(StatsPage.millis(250)).isEqualTo("0.25 ms");
    }

    private static FrontendView replicaFrontend(ReplicasView replicas) {
        FrontendView f = frontend("reads", A, "ok", "");
        return new FrontendView(f.name(), f.bind(), f.masterName(), f.staticMode(), f.master(), f.held(), f.named(), f.epoch(),
                f.basis(), f.reason(), List.of(), List.of(), f.traffic(), f.paths(), 0, 0, 0, 5, 0, 1, f.nodes(), f.sentinels(),
                f.switches(), f.events(), StatsModel.TlsView.NONE, replicas);
    }

    @Test
    void aReplicaFrontendShowsEachReplicaInOrOutWithItsLagSessionsAndWhy() {
        ReplicasView r = new ReplicasView(true, "master", false, -1, 1000, false, List.of(
                new ReplicasView.Row(A, false, -1, -1, 0, "the master (read-from-master: false)"),
                new ReplicasView.Row(B, true, 120, 0, 7, "")));
        StatsModel m = model(null, replicaFrontend(r));

        assertThat(StatsPage.render(m)).contains("Replica endpoint", "max-lag 1000 ms", "the master (read-from-master: false)", ">IN<", ">7<");
        assertThat(StatsJson.render(m)).contains("\"role\":\"replica\"", "\"falling_back\":false", "\"max_lag_bytes\":null",
                "{\"address\":\"10.0.0.2:6379\",\"in\":true,\"lag_bytes\":120,\"lag_ms\":0,\"sessions_now\":7,\"why_out\":null}");
        assertThat(AdminHandler.health(m).body()).isEqualTo("ok: reads reads from replicas [10.0.0.2:6379]\n");
    }

    @Test
    void aReplicaFrontendWithNoReplicaIsHealthyOnlyWhileItFallsBackToTheMaster() {
        List<ReplicasView.Row> out = List.of(new ReplicasView.Row(B, false, -1, -1, 0, "its link to the master is down (link connect)"));
        StatsModel fallingBack = model(null, replicaFrontend(new ReplicasView(true, "master", true, -1, 1000, false, out)));
        StatsModel refusing = model(null, replicaFrontend(new ReplicasView(true, "refuse", false, -1, 1000, false, out)));

        assertThat(AdminHandler.health(fallingBack).status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(AdminHandler.health(fallingBack).body()).contains("reads from the master 10.0.0.1:6379 (no replica qualifies)");
        assertThat(StatsPage.render(fallingBack)).contains("no replica qualifies: reads go to the master");
        assertThat(AdminHandler.health(refusing).status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(AdminHandler.health(refusing).body()).isEqualTo("not serving: reads (no replica qualifies; replica-fallback: refuse)\n");
    }
}
