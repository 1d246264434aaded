package dev.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.testkit.FerryHarness;
import dev.ferry.config.Credentials;
import dev.ferry.config.HostPort;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.RedisLink;
import dev.ferry.resp.RespWriter;
import dev.ferry.demo.group.RedisGroup;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Many client sessions over a few shared node connections, against a real redis-server: every client gets
 * exactly its own replies, runs as itself (user, database, protocol), and no client's mistake, size or
 * slowness reaches another. Each test here is one of the bugs other multiplexing proxies shipped
 * (shared/reference/multiplexing.md section 6), written so that it would catch that bug in Ferry.
 */
@Tag("integration")
class MultiplexingTest {
    private static final String PASSWORD = "pw-mux";
    private static final Duration T = Duration.ofSeconds(10);
    private static RedisGroup group;
    private static FerryHarness ferry;
    private static HostPort master;

    @BeforeAll
    static void start() throws Exception {
        group = RedisGroup.builder().password(PASSWORD).replicas(1).sentinels(0).start();
        master = group.nodeAddresses().get(0);
        ferry = FerryHarness.start(group, FerryHarness.yaml(group, List.of(), group.nodeAddresses()));
        await().atMost(Duration.ofSeconds(20)).until(() -> master.equals(ferry.routedMaster()));
    }

    @AfterAll
    static void stop() {
        if (ferry != null) ferry.close();
        if (group != null) group.close();
    }

    private static RedisLink client() throws Exception {
        return RedisLink.open(ferry.address(), group.credentials(), T, null);
    }

    private static TrafficStats stats() {
        return ferry.ferry.frontends().get(0).router().stats();
    }

    @Test
    void manyClientsPipeliningAtOnceEachGetExactlyTheirOwnRepliesInOrder() throws Exception {
        int clients = 32;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int me = c;
                done.add(pool.submit(() -> {
                    Random rnd = new Random(me);
                    int checked = 0;
                    try (RedisLink l = client()) {
                        for (int round = 0; round < 100; round++) {
                            int depth = 1 + rnd.nextInt(20);
                            for (int i = 0; i < depth; i++) {
                                String key = "mux:" + me + ":" + i;
                                l.send("SET", key, me + "/" + round + "/" + i);
                                l.send("GET", key);
                            }
                            for (int i = 0; i < depth; i++) {
                                assertThat(l.read()).isEqualTo("OK");
                                assertThat(l.read()).as("client %d round %d", me, round).isEqualTo(me + "/" + round + "/" + i);
                                checked++;
                            }
                        }
                    }
                    return checked;
                }));
            }
            int total = 0;
            for (Future<Integer> f : done) total += f.get(2, TimeUnit.MINUTES);
            assertThat(total).isGreaterThan(clients * 100);
        } finally {
            pool.shutdownNow();
        }
        assertThat(masterClients()).as("32 sessions, a few node connections").isLessThan(16);
    }

    /**
     * Thousands of sessions sending at once fill the shared connection's buffer: every one that waited for
     * it to drain must be woken again, even when sessions woken before it filled it again.
     */
    @Test
    void aBurstOfThousandsOfSessionsSendingAtOnceIsAnsweredEveryOne() throws Exception {
        int n = 2500;
        byte[] hello = ("*2\r\n$4\r\nAUTH\r\n$" + PASSWORD.length() + "\r\n" + PASSWORD + "\r\n*1\r\n$4\r\nPING\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] ping = "*1\r\n$4\r\nPING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Socket so = new Socket(ferry.address().host(), ferry.address().port());
                so.setSoTimeout(15_000);
                sockets.add(so);
            }
            for (Socket so : sockets) so.getOutputStream().write(hello);
            for (Socket so : sockets) assertThat(readExactly(so, 12)).isEqualTo("+OK\r\n+PONG\r\n");
            for (int round = 0; round < 3; round++) {
                for (Socket so : sockets) so.getOutputStream().write(ping);
                int answered = 0;
                for (Socket so : sockets) {
                    if ("+PONG\r\n".equals(readExactly(so, 7))) answered++;
                }
                assertThat(answered).as("round %d: sessions answered", round).isEqualTo(n);
            }
        } finally {
            for (Socket so : sockets) so.close();
        }
    }

    private static String readExactly(Socket so, int len) {
        byte[] b = new byte[len];
        try {
            int got = 0;
            while (got < len) {
                int k = so.getInputStream().read(b, got, len - got);
                if (k < 0) return "closed after " + new String(b, 0, got, java.nio.charset.StandardCharsets.US_ASCII);
                got += k;
            }
            return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    @Test
    void aSelectNeverLeaksIntoTheDatabaseOfSessionsThatDidNotSelect() throws Exception {
        // envoy#41659: a SELECT broadcast to pooled connections sent other clients to the wrong database.
        try (RedisLink selecting = client(); RedisLink plain = client()) {
            assertThat(plain.call("SET", "db:which", "zero")).isEqualTo("OK");
            for (int i = 0; i < 50; i++) {
                assertThat(selecting.call("SELECT", Integer.toString(1 + i % 5))).isEqualTo("OK");
                assertThat(selecting.call("SET", "db:which", "not-zero")).isEqualTo("OK");
                assertThat(plain.call("GET", "db:which")).as("a session that never selected").isEqualTo("zero");
            }
            try (RedisLink direct = RedisLink.open(master, group.credentials(), T, null)) {
                assertThat(direct.call("GET", "db:which")).isEqualTo("zero");
            }
        }
    }

    @Test
    void anotherSessionsCommandNeverLandsInsideATransaction() throws Exception {
        // SE.Redis#2823 / camellia: a transaction interleaved with another session's commands.
        try (RedisLink tx = client(); RedisLink other = client()) {
            assertThat(tx.call("SET", "tx:n", "0")).isEqualTo("OK");
            assertThat(tx.call("MULTI")).isEqualTo("OK");
            assertThat(tx.call("INCR", "tx:n")).isEqualTo("QUEUED");
            assertThat(other.call("SET", "tx:n", "100")).as("runs at once, outside the transaction").isEqualTo("OK");
            assertThat(tx.call("INCR", "tx:n")).isEqualTo("QUEUED");
            assertThat(tx.call("EXEC")).isEqualTo(List.of(101L, 102L));
        }
    }

    @Test
    void watchGuardsTheTransactionOfTheSessionThatWatched() throws Exception {
        // envoy: WATCH on a shared connection and EXEC on another guards nothing and is never cleared.
        try (RedisLink watcher = client(); RedisLink writer = client()) {
            assertThat(watcher.call("WATCH", "w:k")).isEqualTo("OK");
            assertThat(writer.call("SET", "w:k", "changed")).isEqualTo("OK");
            assertThat(watcher.call("MULTI")).isEqualTo("OK");
            assertThat(watcher.call("SET", "w:k", "mine")).isEqualTo("QUEUED");
            assertThat(watcher.call("EXEC")).as("aborted: a watched key changed").isNull();
            assertThat(writer.call("GET", "w:k")).isEqualTo("changed");
        }
    }

    @Test
    void eachAclUserRunsAsItselfOnItsOwnSharedConnections() throws Exception {
        group.node(master).call("ACL", "SETUSER", "alice", "on", ">alice-pw", "~a:*", "+@all");
        group.node(master).call("ACL", "SETUSER", "bob", "on", ">bob-pw", "~b:*", "+@all");
        try (RedisLink alice = RedisLink.open(ferry.address(), new Credentials("alice", "alice-pw"), T, null);
             RedisLink bob = RedisLink.open(ferry.address(), new Credentials("bob", "bob-pw"), T, null);
             RedisLink nobody = RedisLink.open(ferry.address(), Credentials.NONE, T, null)) {
            assertThat(alice.call("SET", "a:1", "x")).isEqualTo("OK");
            assertThat(bob.call("GET", "a:1")).as("bob may not read alice's keys").isInstanceOf(ErrorReply.class)
                    .extracting(r -> ((ErrorReply) r).code()).isEqualTo("NOPERM");
            assertThat(alice.call("ACL", "WHOAMI")).isEqualTo("alice");
            assertThat(bob.call("ACL", "WHOAMI")).isEqualTo("bob");
            assertThat(nobody.call("GET", "a:1")).as("a client that never authenticated is not lent anyone's login")
                    .isInstanceOf(ErrorReply.class).extracting(r -> ((ErrorReply) r).code()).isEqualTo("NOAUTH");
            Object wrong = nobody.call("AUTH", "alice", "not-her-password");
            assertThat(wrong).isInstanceOf(ErrorReply.class).extracting(r -> ((ErrorReply) r).code()).isEqualTo("WRONGPASS");
            assertThat(nobody.call("GET", "a:1")).isInstanceOf(ErrorReply.class);
        }
    }

    @Test
    void resp3AndResp2SessionsEachGetTheirOwnProtocol() throws Exception {
        try (RedisLink three = client(); Socket two = new Socket(ferry.address().host(), ferry.address().port())) {
            assertThat(three.call("HSET", "h:p", "f", "v")).isIn(0L, 1L);
            Object hello = three.call("HELLO", "3");
            assertThat(hello).as("HELLO 3 answers a map").isNotNull();
            OutputStream out = two.getOutputStream();
            out.write(RespWriter.command("AUTH", PASSWORD));
            out.write(RespWriter.command("HGETALL", "h:p"));
            out.flush();
            two.setSoTimeout(5000);
            byte[] buf = new byte[64];
            int n = two.getInputStream().readNBytes(buf, 0, "+OK\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n".length());
            assertThat(new String(buf, 0, n)).as("RESP2: a flat array, not a map").isEqualTo("+OK\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
        }
    }

    @Test
    void clientIdStaysTheSameForTheSessionAndIsNotAnotherSessions() throws Exception {
        try (RedisLink one = client(); RedisLink two = client()) {
            Object id1 = one.call("CLIENT", "ID");
            assertThat(one.call("GET", "id:x")).isNull();
            assertThat(one.call("CLIENT", "ID")).isEqualTo(id1);
            assertThat(two.call("CLIENT", "ID")).isNotEqualTo(id1);
        }
    }

    @Test
    void aHugeDeclaredArrayCountCostsNothingAndHurtsNobody() throws Exception {
        // envoy#12689: an array preallocated from its declared count, an OOM with 12 bytes.
        try (RedisLink bystander = client(); Socket s = new Socket(ferry.address().host(), ferry.address().port())) {
            s.getOutputStream().write(RespWriter.command("AUTH", PASSWORD));
            s.getOutputStream().write("*2000000000\r\n$3\r\nSET\r\n".getBytes());
            s.getOutputStream().flush();
            assertThat(bystander.call("PING")).isEqualTo("PONG");
            assertThat(bystander.call("SET", "after:huge", "1")).isEqualTo("OK");
        }
    }

    @Test
    void aBigValueFromOneClientGoesThroughWhileOthersAreServed() throws Exception {
        String big = "v".repeat(8 << 20);
        try (RedisLink uploader = client(); RedisLink other = client()) {
            uploader.send("SET", "big:v", big);
            for (int i = 0; i < 20; i++) assertThat(other.call("INCR", "big:n")).isEqualTo((long) i + 1);
            assertThat(uploader.read()).isEqualTo("OK");
            assertThat(uploader.call("STRLEN", "big:v")).isEqualTo((long) big.length());
        }
    }

    @Test
    void aClientThatClosesInTheMiddleOfACommandOrWithRepliesDueHurtsNobody() throws Exception {
        try (RedisLink other = client()) {
            for (int i = 0; i < 20; i++) {
                try (Socket s = new Socket(ferry.address().host(), ferry.address().port())) {
                    OutputStream out = s.getOutputStream();
                    out.write(RespWriter.command("AUTH", PASSWORD));
                    for (int k = 0; k < 50; k++) out.write(RespWriter.command("INCR", "close:n"));
                    out.write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nabc".getBytes());
                    out.flush();
                }
                assertThat(other.call("PING")).isEqualTo("PONG");
            }
            assertThat(other.call("SET", "close:after", "1")).isEqualTo("OK");
        }
    }

    @Test
    void aBlockedPopHoldsOnlyItsOwnConnection() throws Exception {
        // envoy#4424, SE.Redis: a blocking command on a shared connection stalls everyone behind it.
        try (RedisLink consumer = client(); RedisLink producer = client()) {
            consumer.send("BLPOP", "jobs:q", "0");
            for (int i = 0; i < 20; i++) assertThat(producer.call("PING")).isEqualTo("PONG");
            assertThat(producer.call("RPUSH", "jobs:q", "job")).isEqualTo(1L);
            assertThat(consumer.read()).isEqualTo(List.of("jobs:q", "job"));
        }
    }

    @Test
    void aSubscriberReceivesWhatIsPublishedThroughAnotherSession() throws Exception {
        try (RedisLink sub = client(); RedisLink pub = client()) {
            assertThat(sub.call("SUBSCRIBE", "mux:news")).isEqualTo(List.of("subscribe", "mux:news", 1L));
            assertThat(pub.call("PUBLISH", "mux:news", "hello")).isEqualTo(1L);
            assertThat(sub.read()).isEqualTo(List.of("message", "mux:news", "hello"));
        }
    }

    @Test
    void quitClosesTheSessionAfterItsRepliesAndNothingElse() throws Exception {
        try (RedisLink other = client(); RedisLink quitter = client()) {
            quitter.send("INCR", "quit:n");
            quitter.send("QUIT");
            quitter.send("PING");
            assertThat(quitter.read()).isEqualTo(1L);
            assertThat(quitter.read()).isEqualTo("OK");
            assertThat(other.call("GET", "quit:n")).isEqualTo("1");
            assertThat(other.call("PING")).isEqualTo("PONG");
        }
    }

    @Test
    void manyIdleSessionsHoldAFewNodeConnections() throws Exception {
        List<RedisLink> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 500; i++) idle.add(client());
            for (RedisLink l : idle) assertThat(l.call("PING")).isEqualTo("PONG");
            assertThat(masterClients()).as("500 authenticated sessions").isLessThan(16);
        } finally {
            idle.forEach(RedisLink::close);
        }
    }

    /** Client connections on the master, Ferry's checks included. */
    private static long masterClients() {
        String info = String.valueOf(group.node(master).call("INFO", "clients"));
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("connected_clients:")) return Long.parseLong(line.substring(18).trim());
        }
        throw new IllegalStateException(info);
    }
}
