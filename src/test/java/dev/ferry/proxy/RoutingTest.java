package dev.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.config.HostPort;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.drill.WriteLoad;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.RedisLink;
import dev.ferry.testkit.FerryHarness;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Ferry in front of a real Redis group with real Sentinels: where client traffic goes, and when. */
@Tag("integration")
class RoutingTest {
    static final Duration SWITCH = Duration.ofSeconds(20);

    static RedisGroup group() {
        return RedisGroup.builder().password("pw-routing").downAfterMillis(2000).failoverTimeoutMillis(10000).start();
    }

    @Test
    void newConnectionsReachTheMasterTheSentinelsName() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g)) {
            await().atMost(SWITCH).until(() -> f.routedMaster() != null);
            assertThat(f.portBehind()).isEqualTo(g.sentinelMaster().port());
            try (RedisLink l = f.connect()) {
                assertThat(((List<?>) l.call("ROLE")).get(0)).isEqualTo("master");
                assertThat(l.call("SET", "k", "v")).isEqualTo("OK");
            }
        }
    }

    @Test
    void afterFailoverToEveryAcknowledgedWriteIsOnTheNewMaster() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g)) {
            await().atMost(SWITCH).until(() -> f.routedMaster() != null);
            HostPort target = g.nodeAddresses().get(1);
            try (WriteLoad fresh = WriteLoad.start(f.address(), g.credentials(), Duration.ofMillis(10), false, "fresh");
                 WriteLoad kept = WriteLoad.start(f.address(), g.credentials(), Duration.ofMillis(10), true, "kept")) {
                Thread.sleep(500);
                g.failoverTo(target);
                await().atMost(SWITCH).until(() -> target.equals(f.routedMaster()));
                await().atMost(SWITCH).until(() -> f.portBehind() == target.port());
                Thread.sleep(1000);
                fresh.close();
                kept.close();
                assertThat(fresh.countLost(target)).as(fresh.toString()).isZero();
                assertThat(kept.countLost(target)).as(kept.toString()).isZero();
                assertThat(fresh.acked()).hasSizeGreaterThan(50);
            }
        }
    }

    @Test
    void aSentinelFailoverIsFollowedAndLosesNoAcknowledgedWrite() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g)) {
            await().atMost(SWITCH).until(() -> f.routedMaster() != null);
            HostPort old = f.routedMaster();
            try (WriteLoad kept = WriteLoad.start(f.address(), g.credentials(), Duration.ofMillis(5), true, "kept")) {
                Thread.sleep(500);
                g.sentinelFailover();
                await().atMost(SWITCH).until(() -> f.routedMaster() != null && !old.equals(f.routedMaster()));
                HostPort now = f.routedMaster();
                await().atMost(SWITCH).until(() -> f.portBehind() == now.port());
                Thread.sleep(1000);
                kept.close();
                assertThat(g.role(now)).isEqualTo("master");
                assertThat(kept.countLost(now)).as(kept.toString()).isZero();
            }
        }
    }

    @Test
    void aKilledMasterIsReplacedByTheOneSentinelPromotes() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g)) {
            await().atMost(SWITCH).until(() -> f.routedMaster() != null);
            HostPort old = f.routedMaster();
            g.node(old).kill();
            await().atMost(SWITCH).until(() -> f.routedMaster() != null && !old.equals(f.routedMaster()));
            HostPort now = f.routedMaster();
            // Ferry follows the leader's promotion before the other Sentinels adopt it.
            assertThat(g.awaitSentinelsAgree(SWITCH)).isEqualTo(now);
            assertThat(f.portBehind()).isEqualTo(now.port());
        }
    }

    @Test
    void aMasterThatReturnsAfterSigstopGetsNoTrafficAndIsFenced() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g)) {
            await().atMost(SWITCH).until(() -> f.routedMaster() != null);
            HostPort old = f.routedMaster();
            g.node(old).pause();
            await().atMost(SWITCH).until(() -> f.routedMaster() != null && !old.equals(f.routedMaster()));
            HostPort now = f.routedMaster();
            g.node(old).resume();
            // Right after SIGCONT the old master still claims master; Ferry must not send it anything.
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until) {
                assertThat(f.portBehind()).isEqualTo(now.port());
                Thread.sleep(50);
            }
            await().atMost(SWITCH).until(() -> "slave".equals(g.role(old)));
        }
    }

    @Test
    void withStaticServersOnlyTheNodeThatSaysMasterGetsTrafficAndAFailoverToIsFollowed() throws Exception {
        try (RedisGroup g = group();
             FerryHarness f = FerryHarness.start(g, FerryHarness.yaml(g, List.of(), g.nodeAddresses()))) {
            await().atMost(SWITCH).until(() -> f.routedMaster() != null);
            HostPort first = g.masterByRole();
            assertThat(f.routedMaster()).isEqualTo(first);
            assertThat(f.portBehind()).isEqualTo(first.port());
            HostPort target = g.nodeAddresses().stream().filter(n -> !n.equals(first)).findFirst().orElseThrow();
            g.failoverTo(target);
            await().atMost(SWITCH).until(() -> target.equals(f.routedMaster()));
            assertThat(f.portBehind()).isEqualTo(target.port());
        }
    }

    @Test
    void anAclUserCanBeFerrysOwnIdentityForItsChecks() throws Exception {
        try (RedisGroup g = group()) {
            // A least-privilege user: what Ferry's checks, tripwire and fencing need.
            for (HostPort n : g.nodeAddresses()) {
                g.node(n).call("ACL", "SETUSER", "ferry", "on", ">ferry-pw", "resetkeys", "~ferry:tripwire:*",
                        "+ping", "+role", "+config|get", "+client|setname", "+blpop", "+replicaof", "+auth");
            }
            String yaml = FerryHarness.yaml(g, g.sentinelAddresses(), List.of()).replace("password: pw-routing",
                    "user: ferry\n    password: ferry-pw");
            try (FerryHarness f = FerryHarness.start(g, yaml)) {
                await().atMost(SWITCH).until(() -> f.routedMaster() != null);
                assertThat(f.routedMaster()).isEqualTo(g.masterByRole());
                assertThat(f.ferry.frontends().get(0).topology().snapshot().nodes()).allSatisfy(n -> assertThat(n.up()).isTrue());
                // Clients still authenticate themselves, as the default user here.
                assertThat(f.portBehind()).isEqualTo(g.masterByRole().port());
            }
        }
    }

    @Test
    void withOneSentinelDownFailoversAreStillFollowed() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g)) {
            await().atMost(SWITCH).until(() -> f.routedMaster() != null);
            g.sentinels().get(0).kill();
            HostPort old = f.routedMaster();
            g.node(old).kill();
            await().atMost(SWITCH).until(() -> f.routedMaster() != null && !old.equals(f.routedMaster()));
            assertThat(f.portBehind()).isEqualTo(f.routedMaster().port());
        }
    }

    @Test
    void withAllSentinelsDownTheLastAgreedMasterKeepsServing() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g)) {
            await().atMost(SWITCH).until(() -> f.routedMaster() != null);
            HostPort master = f.routedMaster();
            g.sentinels().forEach(s -> s.kill());
            Thread.sleep(1500);
            assertThat(f.routedMaster()).isEqualTo(master);
            assertThat(f.ferry.frontends().get(0).topology().snapshot().verdict().basis().name()).isEqualTo("LAST_KNOWN");
            assertThat(f.portBehind()).isEqualTo(master.port());
        }
    }

    @Test
    void aWrongPasswordLeavesNoMasterAndWaitingClientsGetAClearError() throws Exception {
        try (RedisGroup g = group();
             FerryHarness f = FerryHarness.start(g, FerryHarness.yaml(g, g.sentinelAddresses(), List.of(), "wait-for-master: 500ms")
                     .replace("password: pw-routing", "password: wrong-one"))) {
            Thread.sleep(1500);
            var snap = f.ferry.frontends().get(0).topology().snapshot();
            assertThat(snap.verdict().hasMaster()).isFalse();
            assertThat(snap.nodes()).allSatisfy(n -> assertThat(n.detail()).contains("AUTH refused"));
            assertThat(snap.toString()).doesNotContain("wrong-one");
            try (RedisLink l = RedisLink.open(f.address(), dev.ferry.config.Credentials.NONE, Duration.ofSeconds(3), null)) {
                Object r = l.call("PING");
                assertThat(r).isInstanceOf(ErrorReply.class);
                assertThat(((ErrorReply) r).message()).startsWith("MASTERDOWN Ferry: no master known for 'orders'");
            }
        }
    }

    @Test
    void clientsConnectingWhileNoMasterIsKnownWaitAndAreServedOnceOneIs() throws Exception {
        try (RedisGroup g = group(); FerryHarness f = FerryHarness.front(g, "wait-for-master: 15s")) {
            await().atMost(SWITCH).until(() -> f.routedMaster() != null);
            HostPort old = f.routedMaster();
            g.node(old).kill();
            await().atMost(SWITCH).until(() -> f.routedMaster() == null);
            // Sentinel needs down-after (2 s) and an election: this client waits through it.
            try (RedisLink l = RedisLink.open(f.address(), g.credentials(), Duration.ofSeconds(15), null)) {
                assertThat(l.call("SET", "waited", "1")).isEqualTo("OK");
            }
            assertThat(f.routedMaster()).isNotEqualTo(old);
        }
    }
}
