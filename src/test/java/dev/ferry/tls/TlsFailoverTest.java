package dev.ferry.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.config.HostPort;
import dev.ferry.drill.WriteLoad;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The seed's test on a group that speaks only TLS, with Ferry speaking TLS on both sides: {@code ROLE}
 * through Ferry with {@code redis-cli --tls} before and after {@code FAILOVER TO}, while TLS writers on
 * new and on kept connections write every 10 ms.
 */
@Tag("integration")
class TlsFailoverTest {
    static final Duration SWITCH = Duration.ofSeconds(20);

    @Test
    void theSeedsFailoverToTestPassesOverTlsWithNoFailedWrite() throws Exception {
        try (TlsGroup t = new TlsGroup()) {
            t.startFerry();
            await().atMost(SWITCH).until(() -> t.routedMaster() != null);
            HostPort old = t.routedMaster();
            HostPort target = t.group.nodeAddresses().stream().filter(n -> !n.equals(old)).findFirst().orElseThrow();
            assertThat(redisCli(t, "ROLE")).startsWith("master");

            try (WriteLoad fresh = WriteLoad.start(t.tlsAddress(), t.clientConnector(Duration.ofSeconds(2)), Duration.ofMillis(10), false, "tls:fresh");
                 WriteLoad kept = WriteLoad.start(t.tlsAddress(), t.clientConnector(Duration.ofSeconds(2)), Duration.ofMillis(10), true, "tls:kept")) {
                Thread.sleep(1000);
                t.group.failoverTo(target);
                await().atMost(SWITCH).until(() -> target.equals(t.routedMaster()));
                Thread.sleep(1500);
                fresh.close();
                kept.close();
                System.out.println("FAILOVER TO over TLS: " + fresh + " slowest=" + fresh.slowest().toMillis() + " ms; " + kept
                        + " slowest=" + kept.slowest().toMillis() + " ms, connections=" + kept.connections());
                assertThat(fresh.acked()).as("wrote at all").hasSizeGreaterThan(10);
                assertThat(kept.acked()).as("wrote at all").hasSizeGreaterThan(10);
                assertThat(fresh.failed()).as("failed writes on new TLS connections").isZero();
                assertThat(kept.failed()).as("failed writes on a kept TLS connection").isZero();
                assertThat(kept.connections()).as("the kept connection was never reopened").isEqualTo(1);
                assertThat(fresh.countLost(target)).isZero();
                assertThat(kept.countLost(target)).isZero();
            }
            assertThat(redisCli(t, "ROLE")).startsWith("master");
            assertThat(redisCli(t, "CONFIG", "GET", "tls-port")).contains(Integer.toString(target.port()));
        }
    }

    static String redisCli(TlsGroup t, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(t.redisCli(t.tlsAddress(), command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out.trim();
    }
}
