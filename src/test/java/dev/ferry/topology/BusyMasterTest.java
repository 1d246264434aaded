package dev.ferry.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.FerryHarness;
import dev.ferry.config.HostPort;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.RedisLink;
import dev.ferry.testkit.RedisGroup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A busy master is not a missing one: a node running a script past its time limit ({@code -BUSY}) or a
 * slow command ({@code DEBUG SLEEP}: no answer within the check timeout) keeps its route and its sessions,
 * and clients get what they would get directly. Real redis-server (and Sentinels), Ferry in front.
 */
@Tag("integration")
class BusyMasterTest {
    static final Duration WAIT = SoloFerry.WAIT;
    /** Runs until SCRIPT KILL: a read-only script, so Redis lets it be killed. */
    static final String ENDLESS_SCRIPT = "while true do end";
    /** Busy for 3 s, under Redis's default busy-reply-threshold (5 s): the node says nothing meanwhile. */
    static final String THREE_SECOND_SCRIPT =
            "local t = redis.call('TIME') while true do local n = redis.call('TIME') if n[1] - t[1] >= 3 then return 'done' end end";

    @TempDir
    Path dir;

    @Test
    void aMasterInDebugSleepKeepsItsRouteAndItsSessionsGetTheirReplies() throws Exception {
        try (SoloFerry s = SoloFerry.start(dir); RedisLink kept = s.client("kept")) {
            assertThat(kept.call("SET", "before", "1")).isEqualTo("OK");
            CompletableFuture<Object> sleep = CompletableFuture.supplyAsync(() -> {
                try (RedisLink direct = s.direct("sleeper")) {
                    return direct.call("DEBUG", "SLEEP", "3");
                } catch (Exception e) {
                    return e;
                }
            });
            await().atMost(WAIT).until(() -> s.checked().liveness() == Liveness.SILENT);
            // Sent while the node sleeps: directly it would wait for the sleep to end and then run.
            assertThat(kept.call("SET", "during", "1")).isEqualTo("OK");
            assertThat(sleep.get()).isEqualTo("OK");
            assertThat(s.routingChanges).as("silent past the 500 ms check timeout, still the master").isEmpty();
            assertThat(s.traffic().sessionsCut.sum()).isZero();
            assertThat(kept.call("GET", "during")).isEqualTo("1");
        }
    }

    @Test
    void aMasterRunningAScriptPastItsTimeLimitKeepsItsRouteAndScriptKillThroughFerryReachesIt() throws Exception {
        try (SoloFerry s = SoloFerry.start(dir); RedisLink runner = s.client("runner"); RedisLink other = s.client("other")) {
            runner.send("EVAL", ENDLESS_SCRIPT, "0");
            await().atMost(WAIT).until(() -> s.checked().liveness() == Liveness.BUSY);
            assertThat(other.call("GET", "k")).as("what a client gets directly while a script runs")
                    .isInstanceOfSatisfying(ErrorReply.class, e -> assertThat(e.code()).isEqualTo("BUSY"));
            assertThat(s.topology().snapshot().verdict().master()).isEqualTo(s.node.address());

            try (RedisLink killer = s.client("killer")) {
                assertThat(killer.call("SCRIPT", "KILL")).isEqualTo("OK");
            }
            assertThat(runner.read()).as("the script's own connection gets Redis's reply, not a cut")
                    .isInstanceOfSatisfying(ErrorReply.class, e -> assertThat(e.message()).contains("Script killed by user"));
            assertThat(other.call("PING")).isEqualTo("PONG");
            assertThat(s.routingChanges).isEmpty();
            assertThat(s.traffic().sessionsCut.sum()).isZero();
        }
    }

    @Test
    void withSentinelsABusyMasterKeepsItsRouteWhileTheSentinelsKeepIt() throws Exception {
        // Sentinel's own down-after (10 s) is longer than the script: the Sentinels keep the master, so does Ferry.
        try (RedisGroup g = RedisGroup.builder().password("pw-busy").downAfterMillis(10000).failoverTimeoutMillis(10000).start();
             FerryHarness f = FerryHarness.start(g, FerryHarness.yaml(g, g.sentinelAddresses(), List.of())
                     .replace("timeout: 300ms", "timeout: 500ms"))) {
            await().atMost(WAIT).until(() -> f.routedMaster() != null);
            HostPort master = f.routedMaster();
            Topology topology = f.ferry.frontends().get(0).topology();
            List<Verdict> changes = new CopyOnWriteArrayList<>();
            topology.addListener((before, now, roles) -> changes.add(now));
            try (RedisLink runner = f.connect(); RedisLink kept = f.connect()) {
                assertThat(kept.call("SET", "before", "1")).isEqualTo("OK");
                runner.send("EVAL", THREE_SECOND_SCRIPT, "0");
                await().atMost(WAIT).until(() -> topology.snapshot().nodes().stream()
                        .anyMatch(n -> n.node().equals(master) && n.liveness() == Liveness.SILENT));
                assertThat(kept.call("SET", "during", "1")).as("queued behind the script, as directly").isEqualTo("OK");
                assertThat(runner.read()).isEqualTo("done");
            }
            assertThat(changes).as("no routing change while the script ran").isEmpty();
            assertThat(f.routedMaster()).isEqualTo(master);
            assertThat(f.ferry.frontends().get(0).router().stats().sessionsCut.sum()).isZero();
        }
    }
}
