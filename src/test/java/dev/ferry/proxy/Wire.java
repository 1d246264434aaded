package dev.ferry.proxy;

import dev.ferry.config.CheckConfig;
import dev.ferry.config.ConnectionPolicy;
import dev.ferry.config.Credentials;
import dev.ferry.config.FrontendConfig;
import dev.ferry.config.FrontendTlsConfig;
import dev.ferry.config.HostPort;
import dev.ferry.config.ReplicaReads;
import dev.ferry.topology.Basis;
import dev.ferry.topology.ReplicaSet;
import dev.ferry.topology.ReplicaState;
import dev.ferry.topology.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The data path on Netty's EmbeddedChannel: clients and node connections are in-memory channels, the
 * router is told who is master by the test, and every node reply is scripted. Everything runs on the test
 * thread; {@link #settle()} runs what the event loops would run next.
 */
final class Wire {
    static final HostPort A = new HostPort("10.0.0.1", 6379);
    static final HostPort B = new HostPort("10.0.0.2", 6379);

    final FrontendConfig config;
    final Router router = new Router("orders");
    final Upstream upstream;
    private final Map<HostPort, List<Node>> opened = new LinkedHashMap<>();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final Set<HostPort> replicas = new HashSet<>();
    private final Set<HostPort> down = new HashSet<>();
    private EventLoop firstLoop;
    private Verdict verdict = Verdict.INITIAL;
    private long epoch;

    Wire() {
        this(ConnectionPolicy.SHARED);
    }

    Wire(ConnectionPolicy policy) {
        this(policy, java.util.Optional.empty());
    }

    /** {@code reads}: a replica frontend's settings (the router is then told its replicas by {@link #replicas}). */
    Wire(ConnectionPolicy policy, java.util.Optional<ReplicaReads> reads) {
        config = new FrontendConfig("orders", new HostPort("127.0.0.1", 0), "mymaster", List.of(), List.of(A, B),
                Credentials.NONE, Credentials.NONE, CheckConfig.DEFAULT, Duration.ofSeconds(5), Duration.ofSeconds(2), true,
                policy, Duration.ofSeconds(5), 8L * 1024 * 1024, 4L * 1024 * 1024, java.util.Optional.empty(), false,
                FrontendTlsConfig.NONE, reads);
        upstream = new Upstream(config, router, this::connect, loop -> {
            if (firstLoop == null) firstLoop = loop;
            return firstLoop;
        });
        upstream.sparesPerIdentity = 0;  // each test counts the connections it opens
    }

    /** New connections to {@code node} are refused (its process is gone). */
    Wire down(HostPort node) {
        down.add(node);
        return this;
    }

    private ChannelFuture connect(EventLoop loop, HostPort node, NodeLink link) {
        if (down.contains(node)) return new EmbeddedChannel().newFailedFuture(new java.net.ConnectException("Connection refused"));
        EmbeddedChannel ch = new EmbeddedChannel(link);
        channels.add(ch);
        opened.computeIfAbsent(node, n -> new ArrayList<>()).add(new Node(node, ch));
        return ch.newSucceededFuture();
    }

    /** The topology names {@code m} master (null: none); {@code demoted} nodes answer as replicas. */
    Wire master(HostPort m, HostPort... demoted) {
        replicas.addAll(List.of(demoted));
        Verdict now = m == null
                ? Verdict.none(epoch, null, "test: no master", List.of())
                : new Verdict(m, null, ++epoch, m, Basis.SENTINELS, "test: " + m + " is master", List.of(), Set.of());
        Verdict before = verdict;
        verdict = now;
        router.onVerdict(before, now, replicas::contains);
        settle();
        return this;
    }

    /** A replica frontend's replicas after a check round: {@code in} qualify, every other node is out. */
    Wire replicas(HostPort master, HostPort... in) {
        List<ReplicaState> nodes = new ArrayList<>();
        for (HostPort n : in) nodes.add(new ReplicaState(n, true, 0, 0, ""));
        router.onReplicas(new ReplicaSet(true, master, nodes, true));
        settle();
        return this;
    }

    /** A static frontend's only server: the route whatever role it answers. */
    Wire sole(HostPort m) {
        Verdict now = new Verdict(m, null, -1, null, Basis.SOLE, "test: the only server", List.of(), Set.of());
        Verdict before = verdict;
        verdict = now;
        router.onVerdict(before, now, replicas::contains);
        settle();
        return this;
    }

    Client client() {
        upstream.admit();
        EmbeddedChannel ch = new EmbeddedChannel(new ClientSession(upstream));
        channels.add(ch);
        settle();
        return new Client(ch);
    }

    /** The connections opened to {@code node}, oldest first. */
    List<Node> connections(HostPort node) {
        return opened.getOrDefault(node, List.of());
    }

    Node only(HostPort node) {
        List<Node> c = connections(node);
        if (c.size() != 1) throw new AssertionError("expected one connection to " + node + ", got " + c.size());
        return c.get(0);
    }

    /** Runs every task the event loops have queued, until none is left. */
    void settle() {
        for (int round = 0; round < 100; round++) {
            boolean any = false;
            for (EmbeddedChannel ch : new ArrayList<>(channels)) {
                if (ch.hasPendingTasks()) {
                    ch.runPendingTasks();
                    any = true;
                }
            }
            if (!any) return;
        }
        throw new AssertionError("the event loops never went quiet");
    }

    /** Moves every channel's clock on (timers: wait-for-master, move-timeout). */
    void advance(Duration d) {
        for (EmbeddedChannel ch : new ArrayList<>(channels)) ch.advanceTimeBy(d.toMillis(), TimeUnit.MILLISECONDS);
        for (EmbeddedChannel ch : new ArrayList<>(channels)) ch.runScheduledPendingTasks();
        settle();
    }

    static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    static String cmd(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        return b.toString();
    }

    static String drain(EmbeddedChannel ch) {
        StringBuilder b = new StringBuilder();
        ByteBuf m;
        while ((m = ch.readOutbound()) != null) {
            b.append(m.toString(StandardCharsets.UTF_8));
            m.release();
        }
        return b.toString();
    }

    /** A client connection: what it sends, what it got. */
    final class Client {
        final EmbeddedChannel ch;

        Client(EmbeddedChannel ch) {
            this.ch = ch;
        }

        Client send(String... command) {
            return sendRaw(cmd(command));
        }

        Client sendRaw(String raw) {
            ch.writeInbound(bytes(raw));
            settle();
            return this;
        }

        /** Everything the client received since the last call. */
        String received() {
            settle();
            return drain(ch);
        }

        boolean open() {
            settle();
            return ch.isActive();
        }

        void close() {
            ch.close();
            settle();
        }
    }

    /** One node connection Ferry opened: what Ferry sent on it, and the replies the test gives. */
    final class Node {
        final HostPort node;
        final EmbeddedChannel ch;

        Node(HostPort node, EmbeddedChannel ch) {
            this.node = node;
            this.ch = ch;
        }

        /** Everything Ferry wrote on this connection since the last call. */
        String received() {
            settle();
            return drain(ch);
        }

        Node reply(String raw) {
            ch.writeInbound(bytes(raw));
            settle();
            return this;
        }

        boolean open() {
            settle();
            return ch.isActive();
        }

        void close() {
            ch.close();
            settle();
        }
    }
}
