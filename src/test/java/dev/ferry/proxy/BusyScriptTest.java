package dev.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.FerryHarness;
import dev.ferry.config.HostPort;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.RedisLink;
import dev.ferry.testkit.RedisGroup;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A master busy with a long script is still the master: clients through Ferry get what they would get
 * directly (Redis's -BUSY), and SCRIPT KILL reaches the script on a connection of its own instead of
 * queueing behind it on a shared one.
 */
@Tag("integration")
class BusyScriptTest {
    private static final String PASSWORD = "pw-busy";
    private static final Duration T = Duration.ofSeconds(10);

    @Test
    void aScriptKillReachesTheBusyScriptWhileOthersGetRedissBusyReply() throws Exception {
        try (RedisGroup g = RedisGroup.builder().password(PASSWORD).replicas(1).sentinels(0).start();
             FerryHarness f = FerryHarness.start(g, FerryHarness.yaml(g, List.of(), g.nodeAddresses()))) {
            HostPort master = g.nodeAddresses().get(0);
            await().atMost(Duration.ofSeconds(20)).until(() -> master.equals(f.routedMaster()));
            g.node(master).call("CONFIG", "SET", "busy-reply-threshold", "200");
            try (RedisLink runner = RedisLink.open(f.address(), g.credentials(), T, null);
                 RedisLink killer = RedisLink.open(f.address(), g.credentials(), T, null)) {
                runner.send("EVAL", "local t = redis.call('TIME') while true do end", "0");
                Thread.sleep(400);
                Object busy = killer.call("GET", "k");
                assertThat(busy).as("Redis's own reply while the script runs")
                        .isInstanceOf(ErrorReply.class).extracting(r -> ((ErrorReply) r).code()).isEqualTo("BUSY");
                assertThat(killer.call("SCRIPT", "KILL")).isEqualTo("OK");
                assertThat(runner.read()).isInstanceOf(ErrorReply.class);
                assertThat(killer.call("PING")).isEqualTo("PONG");
            }
        }
    }
}
