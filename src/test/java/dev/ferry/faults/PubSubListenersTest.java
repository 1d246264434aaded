package dev.ferry.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.testkit.FerryHarness;
import dev.ferry.config.HostPort;
import dev.ferry.resp.RedisLink;
import dev.ferry.demo.group.RedisGroup;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;

/**
 * A Jedis and a Lettuce Pub/Sub listener through Ferry keep receiving across a change of master with no
 * reconnect of their own (Lettuce's auto-reconnect is off, and Jedis's subscribe() would return on a
 * closed connection): Ferry subscribes them again on the new master. Messages published in the moment of
 * the move may be missed (Pub/Sub is at-most-once); the test prints how many, and requires every message
 * published once the new master is routed and the listeners subscribed there.
 */
@Tag("integration")
class PubSubListenersTest {
    private static final Duration SWITCH = Duration.ofSeconds(30);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"FAILOVER TO", "SENTINEL FAILOVER"})
    void jedisAndLettuceListenersKeepReceivingAcrossAChangeOfMaster(String failover) throws Exception {
        try (RedisGroup g = ClientLibrariesTest.group(); FerryHarness f = FerryHarness.front(g)) {
            await().atMost(SWITCH).until(() -> f.routedMaster() != null);
            HostPort old = f.routedMaster();
            HostPort a = f.address();

            ConcurrentLinkedQueue<String> jedisGot = new ConcurrentLinkedQueue<>();
            AtomicReference<Throwable> jedisEnded = new AtomicReference<>();
            RedisClient jedis = RedisClient.create("redis://:" + g.password() + "@" + a.host() + ":" + a.port());
            JedisPubSub jedisListener = new JedisPubSub() {
                @Override
                public void onMessage(String channel, String message) {
                    jedisGot.add(message);
                }
            };
            Thread jedisThread = new Thread(() -> {
                try {
                    jedis.subscribe(jedisListener, "orders");
                    jedisEnded.set(new IllegalStateException("subscribe() returned"));
                } catch (Throwable t) {
                    jedisEnded.set(t);
                }
            }, "jedis-listener");
            jedisThread.setDaemon(true);
            jedisThread.start();

            ConcurrentLinkedQueue<String> lettuceGot = new ConcurrentLinkedQueue<>();
            io.lettuce.core.RedisClient lettuceClient = io.lettuce.core.RedisClient.create(
                    RedisURI.builder().withHost(a.host()).withPort(a.port()).withPassword(g.password().toCharArray()).build());
            lettuceClient.setOptions(ClientOptions.builder().autoReconnect(false).build());
            StatefulRedisPubSubConnection<String, String> lettuce = lettuceClient.connectPubSub();
            lettuce.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    lettuceGot.add(message);
                }
            });
            lettuce.sync().subscribe("orders");

            try (RedisLink publisher = f.connect()) {
                int[] warm = {0};
                await().atMost(SWITCH).until(() -> {
                    String w = "warm-up-" + warm[0]++;
                    publisher.call("PUBLISH", "orders", w);
                    return jedisGot.contains(w) && lettuceGot.contains(w);
                });
                int i = 0;
                for (; i < 50; i++) publish(publisher, i);
                if (failover.equals("FAILOVER TO")) g.failoverTo(g.nodeAddresses().stream().filter(n -> !n.equals(old)).findFirst().orElseThrow());
                else g.sentinelFailover();
                int movedAt = i;
                long until = System.nanoTime() + SWITCH.toNanos();
                while (System.nanoTime() < until && (f.routedMaster() == null || f.routedMaster().equals(old))) publish(publisher, i++);
                // Once both listeners see a message published on the new master, everything after must arrive.
                int[] probe = {0};
                await().atMost(SWITCH).until(() -> {
                    String p = "probe-" + probe[0]++;
                    publisher.call("PUBLISH", "orders", p);
                    return jedisGot.contains(p) && lettuceGot.contains(p);
                });
                int subscribedAt = i;
                for (i = subscribedAt; i < subscribedAt + 100; i++) publish(publisher, i);
                int last = i - 1;
                await().atMost(Duration.ofSeconds(10)).until(() -> jedisGot.contains("m" + last) && lettuceGot.contains("m" + last));

                for (var got : List.of(jedisGot, lettuceGot)) {
                    String who = got == jedisGot ? "jedis" : "lettuce";
                    for (int k = subscribedAt; k <= last; k++) assertThat(got).as(who + " m" + k).contains("m" + k);
                    for (int k = 0; k < movedAt; k++) assertThat(got).as(who + " before the move, m" + k).contains("m" + k);
                    long missed = 0;
                    for (int k = movedAt; k < subscribedAt; k++) if (!got.contains("m" + k)) missed++;
                    List<String> numbered = got.stream().filter(m -> m.startsWith("m")).toList();
                    long doubled = numbered.size() - numbered.stream().distinct().count();
                    System.out.printf("%s, %s through Ferry: published during the move %d, missed %d, doubled %d%n",
                            failover, who, subscribedAt - movedAt, missed, doubled);
                    assertThat(doubled).as(who + ": a message delivered twice").isZero();
                }
                assertThat(jedisEnded.get()).as("Jedis's subscribe() is still running on its connection").isNull();
                assertThat(lettuce.isOpen()).as("Lettuce's connection (no auto-reconnect) is still open").isTrue();
            } finally {
                jedisListener.unsubscribe();
                jedis.close();
                lettuce.close();
                lettuceClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }

    private static void publish(RedisLink publisher, int i) throws Exception {
        publisher.call("PUBLISH", "orders", "m" + i);
    }
}
