package dev.ferry.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.FerryHarness;
import dev.ferry.config.HostPort;
import dev.ferry.resp.InfoFields;
import dev.ferry.resp.RedisLink;
import dev.ferry.testkit.RedisGroup;
import dev.ferry.testkit.RedisProcess;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Ferry's own connections show to a client of the node, and that killing them costs nothing:
 * the checks hold no connection between rounds, the tripwire is one blocked client (and can be off),
 * and after {@code CLIENT KILL} Ferry reconnects without changing routing or cutting a session.
 */
@Tag("integration")
class OwnConnectionsTest {
    @TempDir
    Path dir;

    /** CLIENT LIST lines of connections named ferry-* that have lived a second or more. */
    static List<String> ferryConnectionsOlderThanASecond(RedisLink direct) throws Exception {
        return Arrays.stream(String.valueOf(direct.call("CLIENT", "LIST")).split("\n"))
                .filter(l -> l.contains(" name=ferry-") && !l.contains(" age=0 ")).toList();
    }

    static long blockedClients(RedisLink direct) throws Exception {
        return Long.parseLong(InfoFields.parse(direct.call("INFO", "clients")).get("blocked_clients"));
    }

    static boolean tripwireConnected(RedisLink direct) throws Exception {
        return String.valueOf(direct.call("CLIENT", "LIST")).contains(" name=ferry-tripwire ");
    }

    @Test
    void theTripwireIsTheOneBlockedClientAndTheOnlyConnectionFerryKeepsOnTheMaster() throws Exception {
        try (SoloFerry s = SoloFerry.start(dir, "tripwire: on"); RedisLink direct = s.direct("operator")) {
            await().atMost(SoloFerry.WAIT).until(() -> tripwireConnected(direct));
            Thread.sleep(1500);  // three check rounds
            assertThat(blockedClients(direct)).isEqualTo(1);
            assertThat(ferryConnectionsOlderThanASecond(direct)).as("the checks open a connection per round and close it")
                    .singleElement().asString().contains("name=ferry-tripwire").contains("cmd=blpop");
        }
    }

    @Test
    void withStaticServersInModeRedisFerryKeepsNoConnectionOnTheNodeBetweenChecks() throws Exception {
        try (SoloFerry s = SoloFerry.start(dir); RedisLink direct = s.direct("operator")) {
            Thread.sleep(1500);
            assertThat(blockedClients(direct)).isZero();
            assertThat(ferryConnectionsOlderThanASecond(direct)).isEmpty();
            assertThat(s.checked().at()).as("checks go on").isAfter(Instant.now().minusSeconds(1));
        }
    }

    @Test
    void whenAnOperatorKillsFerrysConnectionsFerryRecoversAtOnceWithoutARoutingChangeOrACut() throws Exception {
        try (SoloFerry s = SoloFerry.start(dir, "tripwire: on"); RedisLink direct = s.direct("operator");
             RedisLink kept = s.client("kept")) {
            assertThat(kept.call("SET", "k", "1")).isEqualTo("OK");
            await().atMost(SoloFerry.WAIT).until(() -> tripwireConnected(direct));

            assertThat((Long) direct.call("CLIENT", "KILL", "TYPE", "normal")).as("the tripwire and the kept client's node connection")
                    .isGreaterThanOrEqualTo(2);
            await().atMost(SoloFerry.WAIT).until(() -> tripwireConnected(direct));
            assertThat(kept.call("GET", "k")).as("the kept session reconnects to the node on its next command").isEqualTo("1");

            assertThat((Long) direct.call("CLIENT", "KILL", "SKIPME", "yes")).isGreaterThanOrEqualTo(2);
            Instant killed = Instant.now();
            await().atMost(SoloFerry.WAIT).until(() -> tripwireConnected(direct));
            await().atMost(SoloFerry.WAIT).until(() -> s.checked().at().isAfter(killed) && s.checked().up());
            assertThat(kept.call("GET", "k")).isEqualTo("1");

            assertThat(s.routingChanges).isEmpty();
            assertThat(s.traffic().sessionsCut.sum()).isZero();
        }
    }

    @Test
    void withSentinelsKillingFerrysConnectionsOnEveryNodeAndSentinelChangesNoRoute() throws Exception {
        try (RedisGroup g = RedisGroup.builder().password("pw-kill").downAfterMillis(5000).failoverTimeoutMillis(10000).start();
             FerryHarness f = FerryHarness.front(g)) {
            await().atMost(SoloFerry.WAIT).until(() -> f.routedMaster() != null);
            HostPort master = f.routedMaster();
            Topology topology = f.ferry.frontends().get(0).topology();
            List<Verdict> changes = new CopyOnWriteArrayList<>();
            topology.addListener((before, now, roles) -> changes.add(now));
            try (RedisLink kept = f.connect()) {
                assertThat(kept.call("SET", "k", "1")).isEqualTo("OK");
                for (RedisProcess p : g.nodes()) p.call("CLIENT", "KILL", "TYPE", "normal");
                for (RedisProcess p : g.sentinels()) p.call("CLIENT", "KILL", "TYPE", "normal");
                Instant killed = Instant.now();
                await().atMost(SoloFerry.WAIT).until(() -> topology.snapshot().sentinels().stream()
                        .allMatch(r -> r.usable() && r.at().isAfter(killed)));
                Thread.sleep(1500);
                assertThat(kept.call("GET", "k")).isEqualTo("1");
            }
            assertThat(changes).as("not even a change of basis: every Sentinel still counted").isEmpty();
            assertThat(f.routedMaster()).isEqualTo(master);
            assertThat(f.ferry.frontends().get(0).router().stats().sessionsCut.sum()).isZero();
        }
    }
}
