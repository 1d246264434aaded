package dev.ferry.proxy;

import static dev.ferry.testkit.RespClient.OK;
import static dev.ferry.testkit.RespClient.array;
import static dev.ferry.testkit.RespClient.bulk;
import static dev.ferry.testkit.RespClient.integer;
import static dev.ferry.testkit.RespClient.simple;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.config.HostPort;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.drill.WriteLoad;
import dev.ferry.resp.RedisLink;
import dev.ferry.resp.RespWriter;
import dev.ferry.testkit.FerryHarness;
import dev.ferry.testkit.RespClient;
import dev.ferry.testkit.RespClient.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Ferry speaks RESP, so a client session outlives a change of master: it goes on at the new master with the
 * state the client set up (AUTH, HELLO, SELECT, CLIENT SETNAME), and a write the demoted master refuses with
 * {@code -READONLY} is sent again to the new one.
 *
 * <p>Every client here is one {@link RespClient}: one socket that is never reopened, so "the session survived"
 * means the same TCP connection answered. Each test starts its own group, as the other routing tests do:
 * a bare {@code FAILOVER TO} leaves the Sentinels naming the old master until they fail over again ~40 s
 * later, so a group cannot be handed on to the next test in a known state without waiting for that.
 */
@Tag("integration")
class RedisModeTest {
    static final Duration SWITCH = Duration.ofSeconds(20);
    static final String PASSWORD = "pw-redis-mode";

    static RedisGroup group() {
        return RedisGroup.builder().password(PASSWORD).downAfterMillis(2000).failoverTimeoutMillis(10000).start();
    }

    /** A Ferry in {@code mode: redis} in front of {@code g}, once it routes to a master. */
    static FerryHarness redisMode(RedisGroup g, String... extra) throws Exception {
        String[] lines = new String[extra.length + 1];
        lines[0] = "mode: redis";
        System.arraycopy(extra, 0, lines, 1, extra.length);
        FerryHarness f = FerryHarness.front(g, lines);
        try {
            await().atMost(SWITCH).until(() -> f.routedMaster() != null);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    /** A replica of the current master, the target of a {@code FAILOVER TO}. */
    static HostPort aReplica(FerryHarness f, RedisGroup g) {
        HostPort master = f.routedMaster();
        return g.nodeAddresses().stream().filter(n -> !n.equals(master)).findFirst().orElseThrow();
    }

    /** Waits until Ferry routes to {@code target} and a new connection through it lands there. */
    static void awaitRoutedTo(FerryHarness f, HostPort target) {
        await().atMost(SWITCH).until(() -> target.equals(f.routedMaster()));
        await().atMost(SWITCH).until(() -> f.portBehind() == target.port());
    }

    // ---- 1. a session's connection state moves with it

    @Test
    void aSessionKeepsItsAuthDatabaseAndNameAcrossAPlannedFailover() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = redisMode(g); RespClient c = RespClient.open(f.address(), "worker")) {
            HostPort old = f.routedMaster();
            HostPort target = aReplica(f, g);
            assertThat(c.call("AUTH", PASSWORD)).isEqualTo(OK);
            assertThat(c.call("SELECT", "5")).isEqualTo(OK);
            assertThat(c.call("CLIENT", "SETNAME", "orders-worker")).isEqualTo(OK);
            assertThat(c.call("SET", "before", "1")).isEqualTo(OK);

            g.failoverTo(target);
            awaitRoutedTo(f, target);

            // The same socket, with the state it set up, now on the new master.
            assertThat(c.call("CLIENT", "GETNAME")).isEqualTo(bulk("orders-worker"));
            assertThat(c.call("SET", "after", "2")).isEqualTo(OK);
            assertThat(c.call("GET", "before")).as("db 5 written before the failover").isEqualTo(bulk("1"));
            assertThat(c.call("CONFIG", "GET", "port")).as("the node behind the session")
                    .isEqualTo(array(bulk("port"), bulk(Integer.toString(target.port()))));
            try (RedisLink direct = RedisLink.open(target, g.credentials(), Duration.ofSeconds(2), null)) {
                assertThat(direct.call("GET", "after")).as("db 0 of the new master").isNull();
                assertThat(direct.call("SELECT", "5")).isEqualTo("OK");
                assertThat(direct.call("GET", "after")).as("db 5 of the new master").isEqualTo("2");
            }
            assertThat(g.role(old)).isEqualTo("slave");
        }
    }

    @Test
    void aSessionKeepsItsAclUserAndResp3AcrossAPlannedFailover() throws Exception {
        try (RedisGroup g = group()) {
            // ACL users are not replicated: every node gets one, as an operator would set it up.
            for (HostPort n : g.nodeAddresses()) {
                assertThat(g.node(n).call("ACL", "SETUSER", "app", "on", ">app-pw", "~*", "&*", "+@all")).isEqualTo("OK");
            }
            try (FerryHarness f = redisMode(g); RespClient c = RespClient.open(f.address(), "app")) {
                HostPort target = aReplica(f, g);
                assertThat(c.call("AUTH", "app", "app-pw")).isEqualTo(OK);
                assertThat(c.call("HELLO", "3").type()).as("HELLO 3 answers a RESP3 map").isEqualTo('%');
                assertThat(c.call("SELECT", "7")).isEqualTo(OK);

                g.failoverTo(target);
                awaitRoutedTo(f, target);

                assertThat(c.call("ACL", "WHOAMI")).isEqualTo(bulk("app"));
                assertThat(c.call("HSET", "h", "f", "v")).isEqualTo(integer(1));
                assertThat(c.call("HGETALL", "h")).as("still RESP3: a map, not an array")
                        .isEqualTo(new Reply('%', null, List.of(bulk("f"), bulk("v"))));
                try (RedisLink direct = RedisLink.open(target, g.credentials(), Duration.ofSeconds(2), null)) {
                    assertThat(direct.call("SELECT", "7")).isEqualTo("OK");
                    assertThat(direct.call("HGET", "h", "f")).as("db 7 of the new master").isEqualTo("v");
                }
            }
        }
    }

    // ---- 2. a planned failover costs writers through Ferry no error

    @Test
    void writersOnKeptAndNewConnectionsSeeNoErrorAndLoseNoWriteAcrossAPlannedFailover() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = redisMode(g)) {
            HostPort target = aReplica(f, g);
            // A write Redis holds through its FAILOVER pause (up to a replica's 1 s acknowledgement interval)
            // and Ferry then sends again is a slow success: the writers wait 5 s for a reply, not 1 s.
            Duration wait = Duration.ofSeconds(5);
            try (WriteLoad fresh = WriteLoad.start(f.address(), g.credentials(), Duration.ofMillis(10), false, "fresh", wait);
                 WriteLoad kept = WriteLoad.start(f.address(), g.credentials(), Duration.ofMillis(10), true, "kept", wait)) {
                Thread.sleep(500);
                g.failoverTo(target);
                awaitRoutedTo(f, target);
                Thread.sleep(1000);
                fresh.close();
                kept.close();
                System.out.printf("planned failover: %s slowest_ms=%d | %s slowest_ms=%d%n", fresh,
                        fresh.slowest().toMillis(), kept, kept.slowest().toMillis());
                for (WriteLoad w : List.of(fresh, kept)) {
                    assertThat(w.failures()).as("errors seen by " + w).isEmpty();
                    assertThat(w.acked()).as("writes acknowledged, " + w).hasSizeGreaterThan(50);
                    assertThat(w.lostWrites(target)).as("acknowledged writes missing on the new master, " + w).isEmpty();
                }
                assertThat(kept.connections()).as("the kept writer's connection was never replaced").isEqualTo(1);
            }
        }
    }

    @Test
    void aWriteTheDemotedMasterRefusesIsSentAgainAndTheReadsPipelinedAfterItSeeIt() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = redisMode(g); RespClient c = RespClient.open(f.address(), "pipeliner")) {
            HostPort old = f.routedMaster();
            HostPort target = aReplica(f, g);
            assertThat(c.call("AUTH", PASSWORD)).isEqualTo(OK);
            // Stretch Redis's FAILOVER pause so the pipeline surely arrives inside it: the target is stopped
            // and one write behind, so the old master waits (writes paused) until it resumes and catches up.
            g.node(target).pause();
            try {
                assertThat(g.node(old).call("SET", "unacked-by-target", "1")).isEqualTo("OK");
                g.failoverTo(target);
                c.send(List.of(List.of("SET", "a", "1"), List.of("GET", "a"), List.of("SET", "b", "2"), List.of("GET", "b")));
                assertThat(c.quietFor(Duration.ofMillis(300))).as("precondition: the SET is held by FAILOVER's write pause").isTrue();
            } finally {
                g.node(target).resume();
            }
            // The old master answers the held SET with -READONLY once demoted; Ferry sends it, and the reads
            // after it, to the new master, so the replies come in order and see the writes.
            List<Reply> replies = new ArrayList<>();
            for (int i = 0; i < 4; i++) replies.add(c.read(Duration.ofSeconds(10)));
            assertThat(replies).containsExactly(OK, bulk("1"), OK, bulk("2"));
            await().atMost(SWITCH).until(() -> target.equals(f.routedMaster()));
            assertThat(g.role(old)).isEqualTo("slave");
            assertThat(g.node(target).call("MGET", "a", "b")).isEqualTo(List.of("1", "2"));
            assertThat(c.call("PING")).isEqualTo(simple("PONG"));
        }
    }

    @Test
    void aBlockingPopWaitingOnTheDemotedMasterWaitsOnTheNewOne() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = redisMode(g); RespClient c = RespClient.open(f.address(), "consumer")) {
            HostPort target = aReplica(f, g);
            assertThat(c.call("AUTH", PASSWORD)).isEqualTo(OK);
            c.send(List.of(List.of("BLPOP", "jobs", "0")));
            assertThat(c.quietFor(Duration.ofMillis(300))).as("precondition: BLPOP is blocked").isTrue();
            // The demoted master answers -UNBLOCKED (nothing popped) and closes; Ferry sends BLPOP to the new one.
            g.failoverTo(target);
            awaitRoutedTo(f, target);
            assertThat(c.quietFor(Duration.ofMillis(300))).as("still blocked, now on the new master").isTrue();
            assertThat(g.node(target).call("RPUSH", "jobs", "job-1")).isEqualTo(1L);
            assertThat(c.read(Duration.ofSeconds(10))).isEqualTo(array(bulk("jobs"), bulk("job-1")));
        }
    }

    // ---- 3. connection state moves too: see StatefulMoveTest

    // ---- 4. an idle session outlives a failover Sentinel makes

    @Test
    void anIdleSessionSurvivesAKilledMasterAndItsNextCommandWaitsForTheNewOne() throws Exception {
        // wait-for-master longer than down-after (2 s) plus the election, so the wait itself is not the limit here.
        try (RedisGroup g = group(); FerryHarness f = redisMode(g, "wait-for-master: 15s");
             RespClient c = RespClient.open(f.address(), "survivor")) {
            HostPort old = f.routedMaster();
            assertThat(c.call("AUTH", PASSWORD)).isEqualTo(OK);
            assertThat(c.call("SELECT", "3")).isEqualTo(OK);
            assertThat(c.call("CLIENT", "SETNAME", "survivor")).isEqualTo(OK);

            g.node(old).kill();
            long sent = System.nanoTime();
            c.send(List.of(List.of("SET", "after-crash", "1")));
            assertThat(c.read(SWITCH)).as("a write sent right after the kill").isEqualTo(OK);
            System.out.printf("kill -9: the write sent right after it answered in %d ms%n", (System.nanoTime() - sent) / 1_000_000);

            // Right after the promotion the topology may briefly hold traffic again (a second Sentinel's
            // +odown for the same failover); the session's state is what this test is about.
            await().atMost(SWITCH).until(() -> f.routedMaster() != null && !old.equals(f.routedMaster()));
            HostPort now = f.routedMaster();
            assertThat(c.call("CLIENT", "GETNAME")).isEqualTo(bulk("survivor"));
            assertThat(c.call("CONFIG", "GET", "port")).isEqualTo(array(bulk("port"), bulk(Integer.toString(now.port()))));
            try (RedisLink direct = RedisLink.open(now, g.credentials(), Duration.ofSeconds(2), null)) {
                assertThat(direct.call("SELECT", "3")).isEqualTo("OK");
                assertThat(direct.call("GET", "after-crash")).as("db 3 of the new master").isEqualTo("1");
            }
        }
    }

    @Test
    void anIdleSessionSurvivesASentinelFailover() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = redisMode(g); RespClient c = RespClient.open(f.address(), "survivor")) {
            HostPort old = f.routedMaster();
            assertThat(c.call("AUTH", PASSWORD)).isEqualTo(OK);
            assertThat(c.call("SELECT", "4")).isEqualTo(OK);

            g.sentinelFailover();
            await().atMost(SWITCH).until(() -> f.routedMaster() != null && !old.equals(f.routedMaster()));
            HostPort now = f.routedMaster();
            awaitRoutedTo(f, now);

            assertThat(c.call("SET", "after-sentinel-failover", "1")).isEqualTo(OK);
            assertThat(c.call("CONFIG", "GET", "port")).isEqualTo(array(bulk("port"), bulk(Integer.toString(now.port()))));
            try (RedisLink direct = RedisLink.open(now, g.credentials(), Duration.ofSeconds(2), null)) {
                assertThat(direct.call("SELECT", "4")).isEqualTo("OK");
                assertThat(direct.call("GET", "after-sentinel-failover")).as("db 4 of the new master").isEqualTo("1");
            }
        }
    }

    // ---- 5. malformed protocol

    @Test
    void malformedProtocolGetsAProtocolErrorAndClosesOnlyThatConnection() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = redisMode(g); RespClient bystander = RespClient.open(f.address(), "bystander")) {
            assertThat(bystander.call("AUTH", PASSWORD)).isEqualTo(OK);
            Map<String, String> malformed = new LinkedHashMap<>();
            malformed.put("invalid multibulk length", "*abc\r\n");
            malformed.put("invalid bulk length", "*1\r\n$abc\r\n");
            malformed.put("a bulk length that is not one", "*2\r\n$3\r\nGET\r\n:1\r\n");
            for (var e : malformed.entrySet()) {
                try (RespClient bad = RespClient.open(f.address(), e.getKey())) {
                    assertThat(bad.call("AUTH", PASSWORD)).isEqualTo(OK);
                    // A valid command before the bad bytes, in the same write, is still answered first.
                    bad.sendRaw(new String(RespWriter.command("PING"), StandardCharsets.US_ASCII) + e.getValue());
                    assertThat(bad.read(Duration.ofSeconds(5))).as(e.getKey()).isEqualTo(simple("PONG"));
                    Reply error = bad.read(Duration.ofSeconds(5));
                    assertThat(error.type()).as(e.getKey() + ": " + error).isEqualTo('-');
                    assertThat(error.text()).as(e.getKey()).containsIgnoringCase("protocol error");
                    assertThat(bad.closedWithin(Duration.ofSeconds(5))).as(e.getKey() + ": closed after the error").isTrue();
                }
            }
            assertThat(bystander.call("PING")).as("a session open meanwhile").isEqualTo(simple("PONG"));
            try (RespClient after = RespClient.open(f.address(), "after")) {
                assertThat(after.call("AUTH", PASSWORD)).isEqualTo(OK);
                assertThat(after.call("SET", "still-serving", "1")).isEqualTo(OK);
            }
        }
    }

    // ---- 6. connections: dedicated: a client sees its connection as if it were connected directly

    @Test
    void withDedicatedConnectionsAClientSeesItsOwnConnectionAndKeepsItsNameAcrossAPlannedFailover() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = redisMode(g, "connections: dedicated"); RespClient c = RespClient.open(f.address(), "own")) {
            HostPort target = aReplica(f, g);
            assertThat(c.call("AUTH", PASSWORD)).isEqualTo(OK);
            assertThat(c.call("CLIENT", "SETNAME", "own-conn")).isEqualTo(OK);
            assertThat(c.call("CLIENT", "INFO").text()).as("Redis describes the client's own connection").contains("name=own-conn");
            g.failoverTo(target);
            awaitRoutedTo(f, target);
            assertThat(c.call("CLIENT", "INFO").text()).as("a new connection on the new master, with the name replayed")
                    .contains("name=own-conn");
            assertThat(c.call("CONFIG", "GET", "port")).isEqualTo(array(bulk("port"), bulk(Integer.toString(target.port()))));
        }
    }
}
