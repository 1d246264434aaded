package dev.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.testkit.FerryHarness;
import dev.ferry.config.HostPort;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.RedisLink;
import dev.ferry.demo.group.RedisGroup;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A master busy with a long script is still the master: clients through Ferry get what they would get
 * directly (Redis's -BUSY), and SCRIPT KILL reaches the script on a connection of its own instead of
 * queueing behind it on a shared one. Likewise a write held by CLIENT PAUSE holds back no other session's read.
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

    /** Netty hands connections to its event loops in turn: this many sessions meet the runner on its loop. */
    private static final int SESSIONS_ON_EVERY_LOOP = 2 * 2 * Runtime.getRuntime().availableProcessors();

    @Test
    void noSessionQueuesBehindABusyScriptOnAnyLoopAndAScriptKillFromAnotherDatabaseReachesIt() throws Exception {
        try (RedisGroup g = RedisGroup.builder().password(PASSWORD).replicas(1).sentinels(0).start();
             FerryHarness f = FerryHarness.start(g, FerryHarness.yaml(g, List.of(), g.nodeAddresses()))) {
            HostPort master = g.nodeAddresses().get(0);
            await().atMost(Duration.ofSeconds(20)).until(() -> master.equals(f.routedMaster()));
            g.node(master).call("CONFIG", "SET", "busy-reply-threshold", "100");
            List<RedisLink> others = new java.util.ArrayList<>();
            try (RedisLink runner = RedisLink.open(f.address(), g.credentials(), T, null)) {
                for (int i = 0; i < SESSIONS_ON_EVERY_LOOP; i++) {
                    RedisLink o = RedisLink.open(f.address(), g.credentials(), Duration.ofSeconds(3), null);
                    others.add(o);
                    assertThat(o.call("SELECT", "9")).isEqualTo("OK");
                    assertThat(o.call("SET", "k", "v")).isEqualTo("OK");  // each has used its loop's shared connection
                }
                runner.send("EVAL", "while true do end", "0");
                Thread.sleep(300);
                for (RedisLink o : others) {
                    assertThat(o.call("GET", "k")).as("Redis's own reply on every loop, not a wait behind the script")
                            .isInstanceOf(ErrorReply.class).extracting(r -> ((ErrorReply) r).code()).isEqualTo("BUSY");
                }
                // Redis refuses SELECT while busy: the kill must not need a connection set up in db 9.
                assertThat(others.get(0).call("SCRIPT", "KILL")).isEqualTo("OK");
                assertThat(runner.read()).isInstanceOf(ErrorReply.class);
                for (RedisLink o : others) assertThat(o.call("GET", "k")).as("still in db 9").isEqualTo("v");
            } finally {
                for (RedisLink o : others) o.close();
            }
        }
    }

    @Test
    void readsOfOtherSessionsPassAWriteHeldByAClientPauseSentThroughFerry() throws Exception {
        try (RedisGroup g = RedisGroup.builder().password(PASSWORD).replicas(1).sentinels(0).start();
             FerryHarness f = FerryHarness.start(g, FerryHarness.yaml(g, List.of(), g.nodeAddresses()))) {
            HostPort master = g.nodeAddresses().get(0);
            await().atMost(Duration.ofSeconds(20)).until(() -> master.equals(f.routedMaster()));
            List<RedisLink> readers = new java.util.ArrayList<>();
            try (RedisLink admin = RedisLink.open(f.address(), g.credentials(), T, null);
                 RedisLink writer = RedisLink.open(f.address(), g.credentials(), T, null)) {
                for (int i = 0; i < SESSIONS_ON_EVERY_LOOP; i++) {
                    RedisLink r = RedisLink.open(f.address(), g.credentials(), Duration.ofSeconds(3), null);
                    readers.add(r);
                    assertThat(r.call("SET", "k" + i, "v")).isEqualTo("OK");
                }
                assertThat(admin.call("CLIENT", "PAUSE", "30000", "WRITE")).isEqualTo("OK");
                writer.send("SET", "paused", "1");
                Thread.sleep(200);
                for (int i = 0; i < readers.size(); i++) {
                    assertThat(readers.get(i).call("GET", "k" + i)).as("a read during a write pause, as directly").isEqualTo("v");
                }
                assertThat(admin.call("CLIENT", "UNPAUSE")).isEqualTo("OK");
                assertThat(writer.read()).isEqualTo("OK");
            } finally {
                for (RedisLink r : readers) r.close();
            }
        }
    }
}
