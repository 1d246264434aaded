package dev.ferry.testkit;

import dev.ferry.config.Credentials;
import dev.ferry.config.HostPort;
import dev.ferry.resp.ErrorReply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis master/replica group watched by Sentinels, all on 127.0.0.1, for tests, the demo and
 * benchmarks. {@code nodes().get(0)} is the initial master. Processes die on {@link #close()} or, failing
 * that, at JVM exit.
 */
public final class RedisGroup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisGroup.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final String KEEP_DIR_PROPERTY = "ferry.keepGroupDir";

    private final String masterName;
    private final String password;
    private final Path dir;
    private final boolean ownsDir;
    private final List<RedisProcess> nodes = new CopyOnWriteArrayList<>();
    private final List<RedisProcess> sentinels = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::close, "ferry-group-shutdown");

    private RedisGroup(Builder b) {
        this.masterName = b.masterName;
        this.password = b.password;
        this.ownsDir = b.dir == null;
        try {
            this.dir = ownsDir ? Files.createTempDirectory("ferry-group-") : Files.createDirectories(b.dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the group directory", e);
        }
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            long started = System.nanoTime();
            startNodes(b);
            await("replicas linked to " + nodes.get(0).address(), READY_TIMEOUT, this::replicationGaps);
            startSentinels(b);
            await("Sentinels to know the group", READY_TIMEOUT, this::sentinelGaps);
            log.info("group up in {} ms: master {}, replicas {}, sentinels {} ({})",
                    (System.nanoTime() - started) / 1_000_000, nodes.get(0).address(),
                    nodeAddresses().subList(1, nodes.size()), sentinelAddresses(), dir);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** One master, two replicas, three Sentinels (quorum 2), no password. */
    public static RedisGroup start() {
        return builder().start();
    }

    // ---- accessors

    /** The Redis nodes, initial master first. */
    public List<RedisProcess> nodes() {
        return List.copyOf(nodes);
    }

    public List<RedisProcess> sentinels() {
        return List.copyOf(sentinels);
    }

    public List<HostPort> nodeAddresses() {
        return nodes.stream().map(RedisProcess::address).toList();
    }

    public List<HostPort> sentinelAddresses() {
        return sentinels.stream().map(RedisProcess::address).toList();
    }

    public RedisProcess node(HostPort address) {
        return nodes.stream().filter(n -> n.address().equals(address)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(address + " is not a node of this group " + nodeAddresses()));
    }

    public String masterName() {
        return masterName;
    }

    /** The nodes' password, or null when they have none. */
    public String password() {
        return password;
    }

    /** What a client of the nodes sends as AUTH. */
    public Credentials credentials() {
        return password == null ? Credentials.NONE : new Credentials(null, password);
    }

    public Path dir() {
        return dir;
    }

    // ---- queries

    /** The master named by the first Sentinel that answers, asking them in order. */
    public HostPort sentinelMaster() {
        for (RedisProcess s : sentinels) {
            if (!running(s)) continue;
            HostPort named = namedBy(s);
            if (named != null) return named;
        }
        throw new IllegalStateException("no Sentinel names a master for " + masterName);
    }

    /** The one node whose ROLE says master; throws when none or several do. */
    public HostPort masterByRole() {
        List<HostPort> masters = nodesSayingMaster();
        if (masters.size() == 1) return masters.get(0);
        throw new IllegalStateException(masters.isEmpty() ? "no node says master" : "several nodes say master: " + masters);
    }

    public List<HostPort> nodesSayingMaster() {
        return nodeAddresses().stream().filter(a -> "master".equals(role(a))).toList();
    }

    /** "master" or "slave" as ROLE says, or "down" when the node does not answer (dead, paused, refusing). */
    public String role(HostPort address) {
        RedisProcess node = node(address);
        if (!running(node)) return "down";
        try {
            if (node.call("ROLE") instanceof List<?> reply && !reply.isEmpty()) return String.valueOf(reply.get(0));
        } catch (UncheckedIOException | IllegalStateException e) {
            // no answer or AUTH refused: down, as a client would see it
        }
        return "down";
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
                reply = s.call("SENTINEL", "FAILOVER", masterName);
            } catch (UncheckedIOException e) {
                continue;
            }
            if (reply instanceof ErrorReply e) {
                throw new IllegalStateException(s.address() + " refused SENTINEL FAILOVER " + masterName + ": " + e.message());
            }
            log.info("SENTINEL FAILOVER {} sent to {}", masterName, s.address());
            return;
        }
        throw new IllegalStateException("no Sentinel answered SENTINEL FAILOVER " + masterName);
    }

    /** Waits until {@code expected} says master by ROLE and every Sentinel that answers names it. */
    public void awaitMaster(HostPort expected, Duration timeout) {
        node(expected);
        await("master " + expected, timeout, () -> {
            List<String> gaps = new ArrayList<>();
            String role = role(expected);
            if (!"master".equals(role)) gaps.add(expected + " says " + role);
            Map<HostPort, HostPort> answers = sentinelAnswers();
            if (answers.isEmpty() && !sentinels.isEmpty()) gaps.add("no Sentinel answers");
            answers.forEach((s, named) -> {
                if (!expected.equals(named)) gaps.add("Sentinel " + s + " names " + named);
            });
            return gaps;
        });
    }

    /** Waits until every Sentinel that answers names the same master and that node says master; returns it. */
    public HostPort awaitSentinelsAgree(Duration timeout) {
        HostPort[] agreed = new HostPort[1];
        await("Sentinels to agree on a master", timeout, () -> {
            Map<HostPort, HostPort> answers = sentinelAnswers();
            if (answers.isEmpty()) return List.of("no Sentinel answers");
            Set<HostPort> named = new HashSet<>(answers.values());
            if (named.size() != 1 || named.contains(null)) return List.of("Sentinels name " + answers);
            HostPort master = named.iterator().next();
            String role = role(master);
            if (!"master".equals(role)) return List.of(master + ", named by the Sentinels, says " + role);
            agreed[0] = master;
            return List.of();
        });
        return agreed[0];
    }

    /** Waits until exactly one running node says master and every other running node has its replication link up. */
    public void awaitReplicasInSync(Duration timeout) {
        await("replicas in sync", timeout, this::replicationGaps);
    }

    // ---- life cycle

    /** Kills every process (idempotent) and deletes the directory it created, unless -Dferry.keepGroupDir=true. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: this is the hook running
        }
        sentinels.forEach(RedisProcess::kill);
        nodes.forEach(RedisProcess::kill);
        if (ownsDir && !Boolean.getBoolean(KEEP_DIR_PROPERTY)) {
            deleteRecursively(dir);
        } else {
            log.info("kept {}", dir);
        }
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
        for (int port : ports) nodes.add(startNode(port, masterPort));
    }

    private RedisProcess startNode(int port, Integer masterPort) {
        List<String> config = new ArrayList<>(List.of(
                "save \"\"",
                "appendonly no",
                "repl-diskless-sync yes",
                "repl-diskless-sync-delay 0",
                "protected-mode no"));
        if (password != null) config.add("masterauth " + RedisProcess.quote(password));
        if (masterPort != null) config.add("replicaof 127.0.0.1 " + masterPort);
        return RedisProcess.start(RedisProcess.Kind.SERVER, dir.resolve("redis-" + port), port, password, config);
    }

    private void startSentinels(Builder b) {
        int masterPort = nodes.get(0).address().port();
        int quorum = b.quorum != null ? b.quorum : b.sentinels / 2 + 1;
        for (int i = 0; i < b.sentinels; i++) {
            int port = b.basePort != null ? b.basePort + 20001 + i : PortAllocator.next();
            List<String> config = new ArrayList<>(List.of(
                    "sentinel resolve-hostnames no",
                    "sentinel monitor " + masterName + " 127.0.0.1 " + masterPort + " " + quorum,
                    "sentinel down-after-milliseconds " + masterName + " " + b.downAfterMillis,
                    "sentinel failover-timeout " + masterName + " " + b.failoverTimeoutMillis,
                    "sentinel parallel-syncs " + masterName + " 1"));
            if (password != null) config.add("sentinel auth-pass " + masterName + " " + RedisProcess.quote(password));
            sentinels.add(RedisProcess.start(RedisProcess.Kind.SENTINEL, dir.resolve("sentinel-" + port), port, null, config));
        }
    }

    private static boolean running(RedisProcess p) {
        return p.alive() && !p.paused();
    }

    /** What each answering Sentinel names as master (null for an unknown name); silent ones are left out. */
    private Map<HostPort, HostPort> sentinelAnswers() {
        Map<HostPort, HostPort> answers = new LinkedHashMap<>();
        for (RedisProcess s : sentinels) {
            if (!running(s)) continue;
            try {
                answers.put(s.address(), namedBy(s));
            } catch (UncheckedIOException e) {
                // a Sentinel that does not answer has no say
            }
        }
        return answers;
    }

    private HostPort namedBy(RedisProcess sentinel) {
        Object reply = sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName);
        if (reply instanceof List<?> hostPort && hostPort.size() == 2) {
            return new HostPort(String.valueOf(hostPort.get(0)), Integer.parseInt(String.valueOf(hostPort.get(1))));
        }
        return null;
    }

    private List<String> replicationGaps() {
        List<String> gaps = new ArrayList<>();
        List<HostPort> masters = new ArrayList<>();
        for (RedisProcess node : nodes) {
            if (!running(node)) continue;
            Map<String, String> info = fields(node, "INFO", "replication");
            if (info.isEmpty()) {
                gaps.add(node.address() + " does not answer INFO");
            } else if ("master".equals(info.get("role"))) {
                masters.add(node.address());
            } else if (!"up".equals(info.get("master_link_status")) || "1".equals(info.get("master_sync_in_progress"))) {
                gaps.add(node.address() + " master_link_status:" + info.get("master_link_status"));
            }
        }
        if (masters.size() != 1) gaps.add(masters.isEmpty() ? "no node says master" : "several nodes say master: " + masters);
        return gaps;
    }

    /** Each Sentinel names the master and sees every other Sentinel and every replica. */
    private List<String> sentinelGaps() {
        List<String> gaps = new ArrayList<>();
        HostPort master = nodes.get(0).address();
        int replicas = nodes.size() - 1;
        for (RedisProcess s : sentinels) {
            Map<String, String> state = fields(s, "SENTINEL", "MASTER", masterName);
            if (state.isEmpty()) {
                gaps.add("Sentinel " + s.address() + " does not answer SENTINEL MASTER");
                continue;
            }
            HostPort named = new HostPort(state.get("ip"), Integer.parseInt(state.get("port")));
            if (!named.equals(master)) gaps.add("Sentinel " + s.address() + " names " + named);
            String others = state.get("num-other-sentinels");
            if (!String.valueOf(sentinels.size() - 1).equals(others)) {
                gaps.add("Sentinel " + s.address() + " sees " + others + " of " + (sentinels.size() - 1) + " other Sentinels");
            }
            String slaves = state.get("num-slaves");
            if (!String.valueOf(replicas).equals(slaves)) {
                gaps.add("Sentinel " + s.address() + " sees " + slaves + " of " + replicas + " replicas");
            }
        }
        return gaps;
    }

    /** A reply as fields: INFO's {@code key:value} lines or a flat key/value array; empty when there is no answer. */
    private static Map<String, String> fields(RedisProcess p, String... command) {
        Object reply;
        try {
            reply = p.call(command);
        } catch (UncheckedIOException | IllegalStateException e) {
            return Map.of();
        }
        Map<String, String> fields = new HashMap<>();
        if (reply instanceof String text) {
            for (String line : text.split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && !line.startsWith("#")) fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        } else if (reply instanceof List<?> flat) {
            for (int i = 0; i + 1 < flat.size(); i += 2) fields.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
        }
        return fields;
    }

    /** Polls {@code gaps} until it lists nothing; on timeout throws with what was still missing. */
    private static void await(String what, Duration timeout, Supplier<List<String>> gaps) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> missing = gaps.get();
            if (missing.isEmpty()) return;
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + ": " + String.join("; ", missing));
            }
            RedisProcess.sleep(POLL_INTERVAL);
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete {}: {}", root, e.getMessage());
        }
    }

    /** Settings for {@link RedisGroup}; every default is here. */
    public static final class Builder {
        private int replicas = 2;
        private int sentinels = 3;
        private Integer quorum;
        private String password;
        private long downAfterMillis = 2000;
        private long failoverTimeoutMillis = 10000;
        private String masterName = "mymaster";
        private Integer basePort;
        private Path dir;

        private Builder() {}

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

        /** Sets requirepass and masterauth on the nodes and {@code sentinel auth-pass} on the Sentinels. */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        public Builder downAfterMillis(long millis) {
            if (millis < 1) throw new IllegalArgumentException("downAfterMillis must be >= 1, got " + millis);
            this.downAfterMillis = millis;
            return this;
        }

        public Builder failoverTimeoutMillis(long millis) {
            if (millis < 1) throw new IllegalArgumentException("failoverTimeoutMillis must be >= 1, got " + millis);
            this.failoverTimeoutMillis = millis;
            return this;
        }

        public Builder masterName(String name) {
            if (name == null || name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("masterName must be one word, got '" + name + "'");
            }
            this.masterName = name;
            return this;
        }

        /** Fixed ports as in the seed topology: nodes base+1.., the master base+2, Sentinels base+20001.. */
        public Builder basePort(int base) {
            if (base < 1) throw new IllegalArgumentException("basePort must be >= 1, got " + base);
            this.basePort = base;
            return this;
        }

        /** Where the config and log files go; the caller owns it, so close() leaves it in place. */
        public Builder dir(Path dir) {
            this.dir = dir;
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
