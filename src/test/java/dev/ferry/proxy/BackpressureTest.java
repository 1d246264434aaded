package dev.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.config.HostPort;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.resp.RedisLink;
import dev.ferry.resp.RespWriter;
import dev.ferry.testkit.FerryHarness;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A client that does not read its replies never makes Ferry buffer without bound, and never holds up the
 * sessions that share its node connection: on a shared connection Ferry keeps at most client-output-limit
 * for it, then closes it (Redis's client-output-buffer-limit, applied at the proxy); on a connection of its
 * own, the replies wait in Redis, as they would directly.
 */
@Tag("integration")
class BackpressureTest {
    private static final String PASSWORD = "pw-bp";

    @Test
    void aClientThatLetsMoreThanItsOutputLimitPileUpIsClosedAndTheSessionsSharingItsConnectionAreServed() throws Exception {
        try (RedisGroup g = RedisGroup.builder().password(PASSWORD).replicas(1).start();
             FerryHarness f = FerryHarness.front(g, "client-output-limit: 8mb")) {
            await().atMost(Duration.ofSeconds(20)).until(() -> f.routedMaster() != null);
            g.node(f.routedMaster()).call("SET", "big", megabyte());
            TrafficStats stats = f.ferry.frontends().get(0).router().stats();
            try (RedisLink bystander = f.connect(); Socket s = new Socket(f.address().host(), f.address().port())) {
                assertThat(bystander.call("PING")).isEqualTo("PONG");
                OutputStream out = s.getOutputStream();
                out.write(RespWriter.command("AUTH", PASSWORD));
                for (int i = 0; i < 100; i++) out.write(RespWriter.command("GET", "big"));
                out.flush();
                await().atMost(Duration.ofSeconds(10)).until(() -> stats.outputLimitCloses.sum() == 1);
                assertThat(bystander.call("PING")).as("a session on the same shared connection").isEqualTo("PONG");
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                byte[] chunk = new byte[1 << 16];
                long read = 0;
                int n;
                while ((n = in.read(chunk)) >= 0) read += n;
                assertThat(read).as("what was already passed on, then the close").isLessThan(100L << 20);
            }
        }
    }

    @Test
    void onAConnectionOfItsOwnTheRepliesAClientDoesNotReadStayInRedis() throws Exception {
        try (RedisGroup g = RedisGroup.builder().password(PASSWORD).replicas(1).start();
             FerryHarness f = FerryHarness.front(g, "connections: dedicated")) {
            await().atMost(Duration.ofSeconds(20)).until(() -> f.routedMaster() != null);
            HostPort master = f.routedMaster();
            g.node(master).call("SET", "big", megabyte());
            try (Socket s = new Socket(f.address().host(), f.address().port())) {
                OutputStream out = s.getOutputStream();
                out.write(RespWriter.command("AUTH", PASSWORD));
                for (int i = 0; i < 100; i++) out.write(RespWriter.command("GET", "big"));
                out.flush();
                // 100 MB of replies and a client that reads none of them: Ferry stops reading from Redis, so
                // Redis holds the rest in the output buffer of the client's connection.
                await().atMost(Duration.ofSeconds(10)).until(() -> largestOutputBuffer(g, master) > 50L << 20);
                Thread.sleep(500);
                assertThat(largestOutputBuffer(g, master)).as("still there: Ferry does not read it for a client that does not")
                        .isGreaterThan(50L << 20);
            }
        }
    }

    private static String megabyte() {
        char[] mb = new char[1 << 20];
        Arrays.fill(mb, 'x');
        return new String(mb);
    }

    /** The largest {@code omem} (bytes queued for a client) among the node's clients; 0 while it is too busy to say. */
    private static long largestOutputBuffer(RedisGroup g, HostPort node) {
        String list;
        try {
            list = String.valueOf(g.node(node).call("CLIENT", "LIST"));
        } catch (java.io.UncheckedIOException busy) {
            return 0;  // on a loaded machine Redis may take longer than the call's timeout: ask again
        }
        long max = 0;
        for (String line : list.split("\n")) {
            for (String field : line.split(" ")) {
                if (field.startsWith("omem=")) max = Math.max(max, Long.parseLong(field.substring(5)));
            }
        }
        return max;
    }
}
