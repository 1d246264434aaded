package dev.ferry.proxy;

import static dev.ferry.testkit.RespClient.OK;
import static dev.ferry.testkit.RespClient.array;
import static dev.ferry.testkit.RespClient.bulk;
import static dev.ferry.testkit.RespClient.integer;
import static dev.ferry.testkit.RespClient.simple;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.testkit.FerryHarness;
import dev.ferry.config.HostPort;
import dev.ferry.testkit.RespClient;
import dev.ferry.testkit.RespClient.Reply;
import dev.ferry.demo.group.RedisGroup;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every session survives a change of master with its connection state (issue 15), against real
 * redis-server and Sentinel processes: a subscriber, a tracking client, a transaction half-way, a WATCH
 * transaction and a blocked pop, each one socket never reopened, through {@code FAILOVER TO} and
 * {@code SENTINEL FAILOVER}, in RESP2 and RESP3.
 */
@Tag("integration")
class StatefulMoveTest {
    private static final Duration SWITCH = Duration.ofSeconds(30);

    @ParameterizedTest(name = "{0}, RESP{1}")
    @CsvSource({"FAILOVER TO, 2", "FAILOVER TO, 3", "SENTINEL FAILOVER, 2", "SENTINEL FAILOVER, 3"})
    void subscribersTrackersTransactionsWatchersAndBlockedPopsLiveThroughAChangeOfMaster(String failover, int proto) throws Exception {
        try (RedisGroup g = RedisModeTest.group(); FerryHarness f = RedisModeTest.redisMode(g);
             RespClient sub = authed(f, "subscriber", proto); RespClient tracker = authed(f, "tracker", proto);
             RespClient tx = authed(f, "transaction", proto); RespClient watcher = authed(f, "watcher", proto);
             RespClient popper = authed(f, "popper", proto); RespClient publisher = authed(f, "publisher", proto)) {
            HostPort old = f.routedMaster();

            // Before: each sets up its state.
            assertThat(sub.call("SUBSCRIBE", "news").items().get(0)).isEqualTo(bulk("subscribe"));
            assertThat(sub.call("PSUBSCRIBE", "news.*").items().get(0)).isEqualTo(bulk("psubscribe"));
            if (proto == 3) {
                assertThat(tracker.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:")).isEqualTo(OK);
                assertThat(tracker.call("GET", "user:1")).isEqualTo(new Reply('_', null, null));
            }
            assertThat(tx.call("MULTI")).isEqualTo(OK);
            assertThat(tx.call("INCR", "tx:n")).isEqualTo(simple("QUEUED"));
            assertThat(watcher.call("WATCH", "watched")).isEqualTo(OK);
            popper.send(List.of(List.of("BLPOP", "jobs", "0")));
            assertThat(popper.quietFor(Duration.ofMillis(300))).as("precondition: BLPOP is blocked").isTrue();

            if (failover.equals("FAILOVER TO")) g.failoverTo(RedisModeTest.aReplica(f, g));
            else g.sentinelFailover();
            await().atMost(SWITCH).until(() -> f.routedMaster() != null && !old.equals(f.routedMaster()));
            HostPort now = f.routedMaster();
            RedisModeTest.awaitRoutedTo(f, now);

            // After: the same sockets, no error, the state there.
            assertThat(tx.call("INCR", "tx:n")).isEqualTo(simple("QUEUED"));
            assertThat(tx.call("EXEC")).as("the transaction, run again whole on the new master").isEqualTo(array(integer(1), integer(2)));

            assertThat(watcher.call("MULTI")).isEqualTo(OK);
            assertThat(watcher.call("SET", "watched", "mine")).isEqualTo(simple("QUEUED"));
            Reply aborted = watcher.call("EXEC");
            assertThat(aborted.type()).as("EXEC aborted, as when a watched key changed: " + aborted).isEqualTo('_');
            assertThat(watcher.call("EXEC").type()).as("the WATCH is over").isEqualTo('-');

            long delivered = (long) Integer.parseInt(publisher.call("PUBLISH", "news", "after-the-move").text());
            assertThat(delivered).as("the subscriber is subscribed on the new master").isEqualTo(1);
            assertThat(nextMessage(sub)).isEqualTo(List.of("message", "news", "after-the-move"));
            assertThat(publisher.call("PUBLISH", "news.eu", "pattern").text()).isEqualTo("1");
            assertThat(nextMessage(sub)).isEqualTo(List.of("pmessage", "news.*", "news.eu", "pattern"));

            if (proto == 3) {
                Reply flush = tracker.read(Duration.ofSeconds(5));
                assertThat(flush.type()).as("told to drop its cache").isEqualTo('>');
                assertThat(flush.items().get(1).type()).as("the flush form: a null key list").isEqualTo('_');
                assertThat(publisher.call("SET", "user:1", "new")).isEqualTo(OK);
                Reply invalidation = tracker.read(Duration.ofSeconds(5));
                assertThat(invalidation.items().get(0)).as("tracking is on again on the new master").isEqualTo(bulk("invalidate"));
            }

            assertThat(publisher.call("RPUSH", "jobs", "job-1")).isEqualTo(integer(1));
            assertThat(popper.read(Duration.ofSeconds(10))).isEqualTo(array(bulk("jobs"), bulk("job-1")));

            for (RespClient c : List.of(sub, tracker, tx, watcher, popper)) {
                assertThat(c.quietFor(Duration.ofMillis(1))).as("nothing left over on " + c).isTrue();
            }
        }
    }

    private static RespClient authed(FerryHarness f, String name, int proto) throws Exception {
        RespClient c = RespClient.open(f.address(), name);
        if (proto == 3) {
            assertThat(c.call("HELLO", "3", "AUTH", "default", RedisModeTest.PASSWORD).type()).isEqualTo('%');
        } else {
            assertThat(c.call("AUTH", RedisModeTest.PASSWORD)).isEqualTo(OK);
        }
        return c;
    }

    /** The next Pub/Sub message as its text parts (RESP2 array or RESP3 push). */
    private static List<String> nextMessage(RespClient sub) throws Exception {
        Reply r = sub.read(Duration.ofSeconds(10));
        assertThat(r.type()).isIn('*', '>');
        return r.items().stream().map(Reply::text).toList();
    }
}
