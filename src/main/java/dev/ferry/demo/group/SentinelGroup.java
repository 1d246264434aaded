package dev.ferry.demo.group;

import dev.ferry.config.Credentials;
import dev.ferry.config.HostPort;
import dev.ferry.resp.InfoFields;
import dev.ferry.resp.MasterAddressReply;
import dev.ferry.resp.RoleReply;
import dev.ferry.resp.SentinelFields;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
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
 * Redis nodes and the Sentinels watching them, as this JVM sees them: what {@link RedisGroup} (loopback)
 * and the tests' network-namespace lab have in common. The config they start with, the queries and
 * waits the demo and tests use, and the life cycle: a directory for config and log files, processes killed on
 * {@link #close()} or, failing that, at JVM exit. Subclasses say where the processes run.
 */
public abstract class SentinelGroup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SentinelGroup.class);
    static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final String KEEP_DIR_PROPERTY = "ferry.keepGroupDir";

    private final String masterName;
    private final String password;
    private final GroupTls tls;
    private final long downAfterMillis;
    private final long failoverTimeoutMillis;
    private final String label;
    private final Path dir;
    private final boolean ownsDir;
    protected final List<RedisProcess> nodes = new CopyOnWriteArrayList<>();
    protected final List<RedisProcess> sentinels = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;

    /**
     * {@code label} names the group in messages ("this group", "lab 042xy"); without a {@code dir} setting the
     * files go to a new temporary directory named {@code tempDirPrefix...}, which close() deletes.
     */
    protected SentinelGroup(Settings<?> settings, String label, String tempDirPrefix) {
        this.masterName = settings.masterName;
        this.password = settings.password;
        this.tls = settings.tls;
        this.downAfterMillis = settings.downAfterMillis;
        this.failoverTimeoutMillis = settings.failoverTimeoutMillis;
        this.label = label;
        this.ownsDir = settings.dir == null;
        try {
            this.dir = ownsDir ? Files.createTempDirectory(tempDirPrefix) : Files.createDirectories(settings.dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of " + label, e);
        }
        this.shutdownHook = new Thread(this::close, tempDirPrefix + "shutdown");
    }

    /**
     * With a shutdown hook in place: starts the nodes (the first one the master) and waits for their
     * replicas to link, then starts the Sentinels and waits until each knows the whole group. On failure
     * closes, so that nothing is left running, and rethrows.
     */
    protected final void startUp(Runnable startNodes, Runnable startSentinels) {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            startNodes.run();
            await("replicas linked to " + nodes.get(0).address(), READY_TIMEOUT, this::replicationGaps);
            startSentinels.run();
            await("Sentinels to know the group", READY_TIMEOUT, this::sentinelGaps);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
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
                .orElseThrow(() -> new IllegalArgumentException(address + " is not a node of " + label + " " + nodeAddresses()));
    }

    public String masterName() {
        return masterName;
    }

    /** The nodes' password, or null when they have none. */
    public String password() {
        return password;
    }

    /** The group's TLS, or null when it speaks plaintext. */
    public GroupTls tls() {
        return tls;
    }

    /** What a client of the nodes sends as AUTH. */
    public Credentials credentials() {
        return password == null ? Credentials.NONE : new Credentials(null, password);
    }

    public Path dir() {
        return dir;
    }

    // ---- queries (from this JVM, so a process it cannot reach answers nothing)

    /** The master named by the first Sentinel that answers, asking them in order. */
    public HostPort sentinelMaster() {
        for (RedisProcess s : sentinels) {
            if (!running(s)) continue;
            try {
                HostPort named = namedBy(s);
                if (named != null) return named;
            } catch (UncheckedIOException e) {
                // cut off or down: ask the next one
            }
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

    /** "master" or "slave" as ROLE says, or "down" when the node does not answer (dead, paused, refusing, cut off). */
    public String role(HostPort address) {
        RedisProcess node = node(address);
        if (!running(node)) return "down";
        try {
            RoleReply role = RoleReply.parse(node.call("ROLE"));
            if (!(role instanceof RoleReply.Unexpected)) return role.word();
        } catch (UncheckedIOException | IllegalStateException e) {
            // no answer or AUTH refused: down, as a client would see it
        }
        return "down";
    }

    // ---- waits

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

    /**
     * Kills every process, then {@link #tearDown()}, then deletes the directory if it made it, unless
     * -Dferry.keepGroupDir=true. Idempotent.
     */
    @Override
    public final void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: this is the hook running
        }
        for (RedisProcess p : Stream.concat(sentinels.stream(), nodes.stream()).toList()) {
            try {
                p.kill();
            } catch (RuntimeException e) {
                log.warn("could not kill {}: {}", p, e.getMessage());
            }
        }
        tearDown();
        if (ownsDir && !Boolean.getBoolean(KEEP_DIR_PROPERTY)) {
            deleteRecursively(dir);
        } else {
            log.info("kept {}", dir);
        }
    }

    /** What the subclass built besides the processes, undone once they are dead; must not throw. */
    protected void tearDown() {}

    // ---- config

    /** A node's config: no persistence, fast diskless resync, masterauth when there is a password; a replica of {@code master} unless null. */
    protected final List<String> nodeConfig(HostPort master) {
        List<String> config = new ArrayList<>(List.of(
                "save \"\"",
                "appendonly no",
                "repl-diskless-sync yes",
                "repl-diskless-sync-delay 0",
                "protected-mode no"));
        if (password != null) config.add("masterauth " + RedisProcess.quote(password));
        if (master != null) config.add("replicaof " + master.host() + " " + master.port());
        return config;
    }

    /** A Sentinel's config: monitor {@code master} under the group's name, with auth-pass when there is a password. */
    protected final List<String> sentinelConfig(HostPort master, int quorum) {
        List<String> config = new ArrayList<>(List.of(
                "sentinel resolve-hostnames no",
                "sentinel monitor " + masterName + " " + master.host() + " " + master.port() + " " + quorum,
                "sentinel down-after-milliseconds " + masterName + " " + downAfterMillis,
                "sentinel failover-timeout " + masterName + " " + failoverTimeoutMillis,
                "sentinel parallel-syncs " + masterName + " 1"));
        if (password != null) config.add("sentinel auth-pass " + masterName + " " + RedisProcess.quote(password));
        return config;
    }

    // ---- internals

    protected static boolean running(RedisProcess p) {
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
        return MasterAddressReply.parse(sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName));
    }

    private List<String> replicationGaps() {
        List<String> gaps = new ArrayList<>();
        List<HostPort> masters = new ArrayList<>();
        for (RedisProcess node : nodes) {
            if (!running(node)) continue;
            Map<String, String> info = InfoFields.parse(answer(node, "INFO", "replication"));
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

    /** Each Sentinel names the initial master and sees every other Sentinel and every replica. */
    private List<String> sentinelGaps() {
        List<String> gaps = new ArrayList<>();
        HostPort master = nodes.get(0).address();
        int replicas = nodes.size() - 1;
        for (RedisProcess s : sentinels) {
            SentinelFields state = masterRecord(s);
            if (state.isEmpty()) {
                gaps.add("Sentinel " + s.address() + " does not answer SENTINEL MASTER");
                continue;
            }
            if (!master.equals(state.address())) gaps.add("Sentinel " + s.address() + " names " + state.address());
            int others = state.numOtherSentinels();
            if (others != sentinels.size() - 1) {
                gaps.add("Sentinel " + s.address() + " sees " + others + " of " + (sentinels.size() - 1) + " other Sentinels");
            }
            int slaves = state.numReplicas();
            if (slaves != replicas) {
                gaps.add("Sentinel " + s.address() + " sees " + slaves + " of " + replicas + " replicas");
            }
        }
        return gaps;
    }

    /** What {@code sentinel} says about the master name ({@code SENTINEL MASTER}); no fields when it does not answer. */
    protected final SentinelFields masterRecord(RedisProcess sentinel) {
        return SentinelFields.parse(answer(sentinel, "SENTINEL", "MASTER", masterName));
    }

    /** The reply to {@code command}, or null when there is none (no answer, AUTH refused). */
    private static Object answer(RedisProcess p, String... command) {
        try {
            return p.call(command);
        } catch (UncheckedIOException | IllegalStateException e) {
            return null;
        }
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

    /** The settings every group takes, each with its default and its check; {@code B} is the builder, so that calls chain. */
    protected abstract static class Settings<B extends Settings<B>> {
        String masterName = "mymaster";
        String password;
        GroupTls tls;
        long downAfterMillis = 2000;
        long failoverTimeoutMillis = 10000;
        Path dir;

        protected Settings(String password) {
            this.password = password;
        }

        /** Sets requirepass and masterauth on the nodes and {@code sentinel auth-pass} on the Sentinels; null for none. */
        public B password(String password) {
            this.password = password;
            return self();
        }

        /** Every node and Sentinel on TLS only, replication and Sentinel links included; null for plaintext. */
        public B tls(GroupTls tls) {
            this.tls = tls;
            return self();
        }

        public B downAfterMillis(long millis) {
            if (millis < 1) throw new IllegalArgumentException("downAfterMillis must be >= 1, got " + millis);
            this.downAfterMillis = millis;
            return self();
        }

        public B failoverTimeoutMillis(long millis) {
            if (millis < 1) throw new IllegalArgumentException("failoverTimeoutMillis must be >= 1, got " + millis);
            this.failoverTimeoutMillis = millis;
            return self();
        }

        public B masterName(String name) {
            if (name == null || name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("masterName must be one word, got '" + name + "'");
            }
            this.masterName = name;
            return self();
        }

        /** Where the config and log files go; the caller owns it, so close() leaves it in place. */
        public B dir(Path dir) {
            this.dir = dir;
            return self();
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }
    }
}
