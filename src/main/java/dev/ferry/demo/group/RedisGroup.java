package dev.ferry.demo.group;

import dev.ferry.config.HostPort;
import dev.ferry.resp.ErrorReply;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis master/replica group watched by Sentinels, all on 127.0.0.1: the demo's group, which the
 * tests start too. {@code nodes().get(0)} is the initial master. Processes die on {@link #close()} or, failing
 * that, at JVM exit; the queries and waits are {@link SentinelGroup}'s.
 */
public final class RedisGroup extends SentinelGroup {
    private static final Logger log = LoggerFactory.getLogger(RedisGroup.class);

    private RedisGroup(Builder b) {
        super(b, "this group", "ferry-group-");
        long started = System.nanoTime();
        startUp(() -> startNodes(b), () -> startSentinels(b));
        log.info("group up in {} ms: master {}, replicas {}, sentinels {} ({})",
                (System.nanoTime() - started) / 1_000_000, nodes.get(0).address(),
                nodeAddresses().subList(1, nodes.size()), sentinelAddresses(), dir());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** One master, two replicas, three Sentinels (quorum 2), no password. */
    public static RedisGroup start() {
        return builder().start();
    }

    // ---- actions

    /** Sends {@code FAILOVER TO host port} to the current master, as the seed document's test does; returns once accepted. */
    public void failoverTo(HostPort target) {
        node(target);
        HostPort master = masterByRole();
        Object reply = node(master).call("FAILOVER", "TO", target.host(), Integer.toString(target.port()));
        if (reply instanceof ErrorReply e) {
            throw new IllegalStateException(master + " refused FAILOVER TO " + target + ": " + e.message());
        }
        log.info("FAILOVER TO {} sent to {}", target, master);
    }

    /** Sends {@code SENTINEL FAILOVER <name>} to the first Sentinel that answers; returns once accepted. */
    public void sentinelFailover() {
        for (RedisProcess s : sentinels) {
            if (!running(s)) continue;
            Object reply;
            try {
                reply = s.call("SENTINEL", "FAILOVER", masterName());
            } catch (UncheckedIOException e) {
                continue;
            }
            if (reply instanceof ErrorReply e) {
                throw new IllegalStateException(s.address() + " refused SENTINEL FAILOVER " + masterName() + ": " + e.message());
            }
            log.info("SENTINEL FAILOVER {} sent to {}", masterName(), s.address());
            return;
        }
        throw new IllegalStateException("no Sentinel answered SENTINEL FAILOVER " + masterName());
    }

    // ---- internals

    private void startNodes(Builder b) {
        List<Integer> ports = new ArrayList<>();
        int masterIndex = 0;
        if (b.basePort != null) {
            for (int i = 1; i <= b.replicas + 1; i++) ports.add(b.basePort + i);
            if (b.replicas >= 1) masterIndex = 1; // as in the seed topology, whose first master is BASE+2
        } else {
            for (int i = 0; i <= b.replicas; i++) ports.add(PortAllocator.next());
        }
        int masterPort = ports.remove(masterIndex);
        nodes.add(startNode(masterPort, null));
        for (int port : ports) nodes.add(startNode(port, new HostPort("127.0.0.1", masterPort)));
    }

    private RedisProcess startNode(int port, HostPort master) {
        return RedisProcess.start(RedisProcess.Kind.SERVER, List.of(), dir().resolve("redis-" + port),
                new HostPort("127.0.0.1", port), password(), tls(), nodeConfig(master));
    }

    private void startSentinels(Builder b) {
        HostPort master = nodes.get(0).address();
        int quorum = b.quorum != null ? b.quorum : b.sentinels / 2 + 1;
        for (int i = 0; i < b.sentinels; i++) {
            int port = b.basePort != null ? b.basePort + 20001 + i : PortAllocator.next();
            sentinels.add(RedisProcess.start(RedisProcess.Kind.SENTINEL, List.of(), dir().resolve("sentinel-" + port),
                    new HostPort("127.0.0.1", port), null, tls(), sentinelConfig(master, quorum)));
        }
    }

    /** Settings for {@link RedisGroup}: its own here, with their defaults, and those of {@link SentinelGroup.Settings}. */
    public static final class Builder extends Settings<Builder> {
        private int replicas = 2;
        private int sentinels = 3;
        private Integer quorum;
        private Integer basePort;

        private Builder() {
            super(null);
        }

        public Builder replicas(int n) {
            if (n < 0) throw new IllegalArgumentException("replicas must be >= 0, got " + n);
            this.replicas = n;
            return this;
        }

        public Builder sentinels(int n) {
            if (n < 0) throw new IllegalArgumentException("sentinels must be >= 0, got " + n);
            this.sentinels = n;
            return this;
        }

        /** Sentinels needed to agree the master is down; default a majority of them. */
        public Builder quorum(int n) {
            if (n < 1) throw new IllegalArgumentException("quorum must be >= 1, got " + n);
            this.quorum = n;
            return this;
        }

        /** Fixed ports as in the seed topology: nodes base+1.., the master base+2, Sentinels base+20001.. */
        public Builder basePort(int base) {
            if (base < 1) throw new IllegalArgumentException("basePort must be >= 1, got " + base);
            this.basePort = base;
            return this;
        }

        public RedisGroup start() {
            if (quorum != null && quorum > sentinels) {
                throw new IllegalArgumentException("quorum " + quorum + " exceeds the " + sentinels + " Sentinels");
            }
            if (basePort != null && basePort + 20000 + sentinels > 65535) {
                throw new IllegalArgumentException("basePort " + basePort + " puts Sentinel ports above 65535");
            }
            return new RedisGroup(this);
        }
    }
}
