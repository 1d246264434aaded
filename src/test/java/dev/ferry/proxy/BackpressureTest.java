package dev.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.config.HostPort;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.resp.RespWriter;
import dev.ferry.testkit.FerryHarness;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A slow client never makes Ferry buffer without bound: the replies wait in Redis, not in Ferry. */
@Tag("integration")
class BackpressureTest {

    @Test
    void repliesAClientDoesNotReadStayInRedisNotInFerry() throws Exception {
        try (RedisGroup g = RedisGroup.builder().password("pw-bp").replicas(1).start(); FerryHarness f = FerryHarness.front(g)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> f.routedMaster() != null);
            HostPort master = f.routedMaster();
            char[] mb = new char[1 << 20];
            Arrays.fill(mb, 'x');
            g.node(master).call("SET", "big", new String(mb));
            try (Socket s = new Socket(f.address().host(), f.address().port())) {
                OutputStream out = s.getOutputStream();
                out.write(RespWriter.command("AUTH", "pw-bp"));
                for (int i = 0; i < 100; i++) out.write(RespWriter.command("GET", "big"));
                out.flush();
                // 100 MB of replies and a client that reads none of them: Ferry must stop reading from
                // Redis, so Redis holds the rest in the output buffer of Ferry's connection.
                await().atMost(Duration.ofSeconds(10)).until(() -> largestOutputBuffer(g, master) > 50L << 20);
                assertThat(largestOutputBuffer(g, master)).isGreaterThan(50L << 20);
            }
        }
    }

    /** The largest {@code omem} (bytes queued for a client) among the node's clients. */
    private static long largestOutputBuffer(RedisGroup g, HostPort node) {
        String list = String.valueOf(g.node(node).call("CLIENT", "LIST"));
        long max = 0;
        for (String line : list.split("\n")) {
            for (String field : line.split(" ")) {
                if (field.startsWith("omem=")) max = Math.max(max, Long.parseLong(field.substring(5)));
            }
        }
        return max;
    }
}
