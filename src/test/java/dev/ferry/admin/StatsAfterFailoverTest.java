package dev.ferry.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.config.HostPort;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.resp.RedisLink;
import dev.ferry.testkit.FerryHarness;
import dev.ferry.testkit.TestGroup;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatsAfterFailoverTest {
    private RedisGroup group;
    private FerryHarness ferry;
    private HostPort oldMaster;
    private HostPort newMaster;
    private RedisLink client;

    @BeforeAll
    void failOver() throws Exception {
        group = TestGroup.start("pw");
        oldMaster = group.nodeAddresses().get(0);
        newMaster = group.nodeAddresses().get(1);
        ferry = FerryHarness.withAdmin(group);
        client = RedisLink.open(ferry.address(), group.credentials(), Duration.ofSeconds(5), null);
        assertThat(client.call("PING")).isEqualTo("PONG");  // an idle session on the old master

        // Ferry follows FAILOVER TO at once (HANDOVER); the Sentinels catch up only after their own timeouts.
        group.failoverTo(newMaster);
        await().atMost(Duration.ofSeconds(20)).until(() -> newMaster.equals(ferry.routedMaster()));
    }

    @AfterAll
    void stop() throws Exception {
        if (client != null) client.close();
        if (ferry != null) ferry.close();
        if (group != null) group.close();
    }

    @Test
    void theStatsPageShowsTheNewMaster() throws Exception {
        String page = ferry.get("/stats").body();

        assertThat(page).contains("<div class=\"banner ok\">", "data-status=\"master\">master " + newMaster + "</div>");
    }

    @Test
    void theStatsPageListsTheSwitchFromTheOldMaster() throws Exception {
        String page = ferry.get("/stats").body();

        assertThat(page).contains("<code>" + oldMaster + "</code> &rarr; <code>" + newMaster + "</code>");
        assertThat(page).contains("<span class=\"muted\">(start)</span> &rarr; <code>" + oldMaster + "</code>");
    }

    @Test
    void theOldMasterIsShownAsAReplicaOfTheNewOne() throws Exception {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ferry.get("/stats.csv").body())
                .containsPattern("(?m)^orders," + oldMaster + ",REPLICA,replica,false,.*," + newMaster + ",true,"));
    }

    @Test
    void theJsonHasTheSwitchWithHowLongItTook() throws Exception {
        String json = ferry.get("/stats.json").body();

        assertThat(json).containsPattern("\\{\"at\":\"[^\"]+\",\"from\":\"" + oldMaster + "\",\"to\":\"" + newMaster + "\",\"took_ms\":[0-9.]+,");
    }

    @Test
    void metricsCountOneMasterChangeAndItsDuration() throws Exception {
        String metrics = ferry.get("/metrics").body();

        assertThat(metrics).contains("ferry_master_changes_total{frontend=\"orders\"} 1.0",
                "ferry_switch_duration_seconds_count{frontend=\"orders\"} 1",
                "ferry_node_is_master{frontend=\"orders\",node=\"" + newMaster + "\"} 1",
                "ferry_node_is_master{frontend=\"orders\",node=\"" + oldMaster + "\"} 0");
    }

    @Test
    void theSessionThatMovedToTheNewMasterIsCountedOnThePageInJsonAndInMetrics() throws Exception {
        assertThat(client.call("CONFIG", "GET", "port")).asList().containsExactly("port", String.valueOf(newMaster.port()));

        assertThat(ferry.get("/stats.json").body()).contains("\"sessions_moved\":1,\"commands_resent\":0");
        assertThat(ferry.get("/metrics").body()).contains(
                "ferry_sessions_moved_total{frontend=\"orders\",node=\"" + oldMaster + "\"} 1.0");
        assertThat(ferry.get("/stats").body()).contains("<div class=\"k\">Sessions moved</div><div class=\"v\">1</div>");
    }

    @Test
    void healthNamesTheNewMaster() throws Exception {
        assertThat(ferry.getWithoutCredentials("/health").body()).isEqualTo("ok: orders master " + newMaster + "\n");
    }
}
