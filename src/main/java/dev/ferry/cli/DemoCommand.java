package dev.ferry.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import dev.ferry.Ferry;
import dev.ferry.config.ConfigException;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.HostPort;
import dev.ferry.proxy.BindFailure;
import dev.ferry.testkit.RedisBinaries;
import dev.ferry.testkit.RedisGroup;
import dev.ferry.testkit.RedisProcess;
import dev.ferry.topology.SwitchRecord;
import dev.ferry.topology.TopologyListener;
import dev.ferry.topology.Verdict;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry demo}: the seed document's whole system on 127.0.0.1 (three redis-server with a password,
 * three Sentinels with quorum 2, two Ferry instances in the place of its two HAProxy servers, each with
 * its stats page) until Ctrl-C, then nothing is left behind. The logic is {@link Demo}, which tests start
 * in-process.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Run the seed's whole system on loopback: 3 redis-server, 3 Sentinels, 2 Ferry instances.",
        description = {
            "Run the seed's whole system on 127.0.0.1 until Ctrl-C: three redis-server (one master, two replicas, "
                    + "a random password), three Sentinels (quorum 2) and two Ferry instances in front, each with its "
                    + "stats page. Ctrl-C stops everything and removes the demo folder.",
            "",
            "Ports from the base N (default " + DemoCommand.DEFAULT_BASE_PORT + ", so that the Sentinels stay below "
                    + "Linux's ephemeral range): redis N+1..N+3 (first master N+2), Sentinels N+20001..N+20003, "
                    + "Ferry clients N+79 and N+80, stats pages N+36 and N+37.",
            ""})
final class DemoCommand implements Callable<Integer> {
    static final int DEFAULT_BASE_PORT = 11300;
    static final long DEFAULT_DOWN_AFTER_MILLIS = 5000;

    @Option(names = "--base-port", paramLabel = "N", description = "Move every port: see above (default ${DEFAULT-VALUE}).")
    int basePort = DEFAULT_BASE_PORT;

    @Option(names = "--down-after", paramLabel = "MS",
            description = "Sentinel down-after-milliseconds: how long a dead master goes unnoticed (default ${DEFAULT-VALUE}).")
    long downAfterMillis = DEFAULT_DOWN_AFTER_MILLIS;

    @Option(names = "--keep", description = "Keep the demo folder (configs, logs) after Ctrl-C.")
    boolean keep;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (basePort < Ports.MIN_BASE || basePort > Ports.MAX_BASE) {
            err.println("ferry demo: --base-port " + basePort + " is out of range " + Ports.MIN_BASE + "-" + Ports.MAX_BASE
                    + " (the Sentinels listen on N+20001..N+20003)");
            return Main.EXIT_CONFIG;
        }
        if (downAfterMillis < 100) {
            err.println("ferry demo: --down-after " + downAfterMillis + " is too short (at least 100 ms)");
            return Main.EXIT_CONFIG;
        }
        Ports ports = new Ports(basePort);
        Optional<String> taken = ports.firstTaken();
        if (taken.isPresent()) {
            err.println("ferry demo: " + taken.get() + "; move every port with --base-port N (now " + basePort + ")");
            return 1;
        }
        Optional<String> missing = ensureRedisInstalled(out, err);
        if (missing.isPresent()) {
            err.println("ferry demo: " + missing.get());
            return 1;
        }

        Path dir = Files.createTempDirectory("ferry-demo-");
        Path pointer = Demo.pointerFile();
        LogToFile logs = LogToFile.install(dir.resolve("ferry.log"));
        AtomicReference<Demo> running = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        // Registered before anything starts, so that Ctrl-C during the start leaves nothing behind either.
        Thread hook = new Thread(() -> {
            out.println();
            out.println("ferry demo: stopping the Ferry instances, Sentinels and redis-server ...");
            out.flush();
            Demo demo = running.get();
            if (demo != null) demo.closeProcesses();
            logs.close();
            try {
                if (dir.toString().equals(Files.readString(pointer).strip())) Files.deleteIfExists(pointer);
            } catch (IOException e) {
                // another demo took the pointer over, or it is gone already
            }
            if (keep) {
                out.println("ferry demo: stopped; kept " + dir);
            } else {
                Demo.deleteRecursively(dir);
                out.println("ferry demo: stopped; removed " + dir);
            }
            out.flush();
            stopped.countDown();
        }, "ferry-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        Demo demo;
        try {
            out.println("ferry demo: starting 3 redis-server, 3 Sentinels and 2 Ferry instances in " + dir + " ...");
            out.flush();
            demo = Demo.start(ports, dir, downAfterMillis, out);
            running.set(demo);
        } catch (BindFailure | RuntimeException | IOException | ConfigException e) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                return 1;  // Ctrl-C during the start: the hook cleans up
            }
            logs.close();
            if (!keep) Demo.deleteRecursively(dir);
            err.println("ferry demo: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }
        Files.writeString(pointer, dir + "\n", StandardCharsets.UTF_8);

        demo.printTable(out);
        out.flush();
        stopped.await();
        return 0;
    }

    /** Empty when redis-server and redis-sentinel are there, installing them when scripts/install-deps.sh is at hand. */
    private static Optional<String> ensureRedisInstalled(PrintWriter out, PrintWriter err) throws InterruptedException {
        if (redisMissing().isEmpty()) return Optional.empty();
        Optional<Path> script = installScript();
        if (script.isEmpty()) {
            return Optional.of(redisMissing().get() + " (on Debian/Ubuntu: sudo apt-get install redis-server redis-sentinel redis-tools)");
        }
        err.println("ferry demo: " + redisMissing().get() + "; running " + script.get() + " ...");
        err.flush();
        try {
            Process p = new ProcessBuilder("bash", script.get().toString()).inheritIO().start();
            int code = p.waitFor();
            if (code != 0) return Optional.of(script.get() + " failed with exit code " + code + "; install redis-server and redis-sentinel, then retry");
        } catch (IOException e) {
            return Optional.of("cannot run " + script.get() + ": " + e.getMessage());
        }
        return redisMissing();
    }

    private static Optional<String> redisMissing() {
        try {
            RedisBinaries.server();
            RedisBinaries.sentinel();
            return Optional.empty();
        } catch (IllegalStateException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** scripts/install-deps.sh of the checkout this jar was built in (the repository is the parent of target/). */
    static Optional<Path> installScript() {
        try {
            Path code = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path d = Files.isDirectory(code) ? code : code.getParent();
            for (int up = 0; d != null && up < 3; up++, d = d.getParent()) {
                Path s = d.resolve("scripts").resolve("install-deps.sh");
                if (Files.isRegularFile(s)) return Optional.of(s);
            }
        } catch (URISyntaxException | RuntimeException e) {
            // no code source (an unusual class loader): no script to offer
        }
        return Optional.empty();
    }

    /** Every port of the demo, from one base; the Redis and Sentinel ones follow {@link RedisGroup.Builder#basePort}. */
    record Ports(int base) {
        static final int MIN_BASE = 1024;
        static final int MAX_BASE = 65535 - 20003;
        static final int INSTANCES = 2;

        List<Integer> redis() {
            return List.of(base + 1, base + 2, base + 3);
        }

        List<Integer> sentinels() {
            return List.of(base + 20001, base + 20002, base + 20003);
        }

        /** Where clients connect to Ferry instance {@code i} (0-based). */
        int client(int i) {
            return base + 79 + i;
        }

        /** Instance {@code i}'s stats page, /health and /metrics. */
        int admin(int i) {
            return base + 36 + i;
        }

        Map<Integer, String> named() {
            Map<Integer, String> m = new LinkedHashMap<>();
            for (int i = 0; i < 3; i++) m.put(redis().get(i), "redis-" + (i + 1));
            for (int i = 0; i < 3; i++) m.put(sentinels().get(i), "sentinel-" + (i + 1));
            for (int i = 0; i < INSTANCES; i++) {
                m.put(client(i), "ferry-" + (i + 1) + " clients");
                m.put(admin(i), "ferry-" + (i + 1) + " stats page");
            }
            return m;
        }

        /** "port P (what) is in use on 127.0.0.1" for the first port that cannot be bound, or empty. */
        Optional<String> firstTaken() {
            for (Map.Entry<Integer, String> e : named().entrySet()) {
                try (ServerSocket s = new ServerSocket()) {
                    s.setReuseAddress(true);
                    s.bind(new InetSocketAddress("127.0.0.1", e.getKey()));
                } catch (IOException x) {
                    return Optional.of("port " + e.getKey() + " (" + e.getValue() + ") is in use on 127.0.0.1");
                }
            }
            return Optional.empty();
        }
    }

    /**
     * The running demo: a {@link RedisGroup} at fixed ports and two Ferry instances started with
     * {@link Launcher#start}, their config files and a {@code demo.json} in the demo folder. It starts a
     * Redis process again when one dies (once the Sentinels no longer name it), so a crash drill can be
     * repeated.
     */
    static final class Demo implements AutoCloseable {
        static final String MASTER_NAME = "mymaster";
        static final String FRONTEND = "redis";
        static final String ADMIN_USER = "admin";
        static final String POINTER = "ferry-demo.current";
        private static final Duration MASTER_TIMEOUT = Duration.ofSeconds(20);
        private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

        /** One Ferry instance, as the seed's haproxy1 or haproxy2. */
        record Instance(String name, Path config, Ferry ferry, HostPort client, HostPort admin) {}

        private final Ports ports;
        private final Path dir;
        private final long downAfterMillis;
        private final String password = secret(12);
        private final String adminPassword = secret(8);
        private final PrintWriter events;
        private final List<Instance> instances = new ArrayList<>();
        private final Map<RedisProcess, Long> deadSince = new HashMap<>();
        private final ScheduledExecutorService supervisor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ferry-demo-supervisor");
            t.setDaemon(true);
            return t;
        });
        private final Object lock = new Object();
        private volatile boolean closing;
        private RedisGroup group;

        private Demo(Ports ports, Path dir, long downAfterMillis, PrintWriter events) {
            this.ports = ports;
            this.dir = dir;
            this.downAfterMillis = downAfterMillis;
            this.events = events;
        }

        /**
         * Starts the group, then both Ferry instances, and returns once both route to the master.
         * {@code dir} must exist; {@link #close()} removes it. {@code events} gets one line per switch,
         * fence and restart.
         */
        static Demo start(Ports ports, Path dir, long downAfterMillis, PrintWriter events)
                throws BindFailure, IOException, ConfigException {
            Demo d = new Demo(ports, dir, downAfterMillis, events);
            try {
                d.startAll();
                return d;
            } catch (BindFailure | IOException | ConfigException | RuntimeException e) {
                d.closeProcesses();
                throw e;
            }
        }

        private void startAll() throws BindFailure, IOException, ConfigException {
            group = RedisGroup.builder().password(password).downAfterMillis(downAfterMillis).failoverTimeoutMillis(10_000)
                    .masterName(MASTER_NAME).basePort(ports.base()).dir(dir.resolve("redis")).start();
            for (int i = 0; i < Ports.INSTANCES; i++) {
                String name = "ferry-" + (i + 1);
                Path config = dir.resolve(name + ".yaml");
                writePrivate(config, yaml(i, name, config));
                Ferry ferry = Launcher.start(new ConfigLoader().load(config));
                instances.add(new Instance(name, config, ferry, ferry.frontends().get(0).server().boundAddress(),
                        new HostPort("127.0.0.1", ports.admin(i))));
            }
            awaitMaster();
            for (Instance in : instances) in.ferry().frontends().get(0).topology().addListener(new Narrator(in.name()));
            writePrivate(dir.resolve("demo.json"), json());
            supervisor.scheduleWithFixedDelay(this::supervise, 1, 1, TimeUnit.SECONDS);
        }

        private void awaitMaster() {
            long deadline = System.nanoTime() + MASTER_TIMEOUT.toNanos();
            while (instances.stream().anyMatch(in -> routedMaster(in) == null)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("the Ferry instances found no master within " + MASTER_TIMEOUT.toSeconds()
                            + " s; see " + dir.resolve("ferry.log"));
                }
                sleep(50);
            }
        }

        List<Instance> instances() {
            return List.copyOf(instances);
        }

        RedisGroup group() {
            return group;
        }

        Ports ports() {
            return ports;
        }

        Path dir() {
            return dir;
        }

        String password() {
            return password;
        }

        String adminPassword() {
            return adminPassword;
        }

        static HostPort routedMaster(Instance in) {
            return in.ferry().frontends().get(0).topology().snapshot().verdict().master();
        }

        /** Where {@code ferry drill --demo} looks first: a file in the temp directory naming the running demo's folder. */
        static Path pointerFile() {
            return Path.of(System.getProperty("java.io.tmpdir"), POINTER);
        }

        private String yaml(int i, String name, Path file) {
            String sentinels = ports.sentinels().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(", "));
            String servers = ports.redis().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(", "));
            return "# " + name + " of 'ferry demo' (pid " + ProcessHandle.current().pid() + "), in the place of the seed's haproxy"
                    + (i + 1) + ".\n"
                    + "# Try: ./ferry check --config " + file + "\n"
                    + "frontends:\n"
                    + "  - name: " + FRONTEND + "\n"
                    + "    bind: 127.0.0.1:" + ports.client(i) + "\n"
                    + "    master: " + MASTER_NAME + "\n"
                    + "    sentinels: [" + sentinels + "]\n"
                    + "    servers: [" + servers + "]\n"
                    + "    password: " + password + "\n"
                    + "admin:\n"
                    + "  bind: 127.0.0.1:" + ports.admin(i) + "\n"
                    + "  user: " + ADMIN_USER + "\n"
                    + "  password: " + adminPassword + "\n"
                    + "  refresh: 5s\n"
                    + "  node-name: " + name + "\n";
        }

        /** What {@code ferry drill --demo} reads: ports, passwords and the config file of every instance. */
        private String json() {
            String ferries = instances.stream().map(in -> "{\"name\": " + q(in.name()) + ", \"client\": " + q(in.client().toString())
                    + ", \"admin\": " + q(in.admin().toString()) + ", \"config\": " + q(in.config().toString()) + "}")
                    .collect(Collectors.joining(",\n    ", "[\n    ", "\n  ]"));
            return "{\n"
                    + "  \"pid\": " + ProcessHandle.current().pid() + ",\n"
                    + "  \"dir\": " + q(dir.toString()) + ",\n"
                    + "  \"basePort\": " + ports.base() + ",\n"
                    + "  \"masterName\": " + q(MASTER_NAME) + ",\n"
                    + "  \"password\": " + q(password) + ",\n"
                    + "  \"adminUser\": " + q(ADMIN_USER) + ",\n"
                    + "  \"adminPassword\": " + q(adminPassword) + ",\n"
                    + "  \"redis\": " + list(group.nodeAddresses()) + ",\n"
                    + "  \"sentinels\": " + list(group.sentinelAddresses()) + ",\n"
                    + "  \"ferry\": " + ferries + "\n"
                    + "}\n";
        }

        private static String list(List<HostPort> l) {
            return l.stream().map(h -> q(h.toString())).collect(Collectors.joining(", ", "[", "]"));
        }

        private static String q(String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }

        /** The table a person reads after the start: where to connect, the stats pages, how to fail over. */
        void printTable(PrintWriter out) {
            HostPort master = group.sentinelMaster();
            HostPort replica = group.nodeAddresses().stream().filter(n -> !n.equals(master)).findFirst().orElseThrow();
            int sentinel = ports.sentinels().get(0);
            String pw = password;
            List<String[]> rows = new ArrayList<>();
            for (Instance in : instances) {
                rows.add(new String[] {in.name(), in.client().toString(), "redis-cli -p " + in.client().port() + " -a " + pw});
            }
            for (Instance in : instances) {
                rows.add(new String[] {in.name() + " stats", "http://" + in.admin() + "/stats",
                        "user " + ADMIN_USER + ", password " + adminPassword});
                rows.add(new String[] {in.name() + " health", "http://" + in.admin() + "/health",
                        "curl -i http://" + in.admin() + "/health   (200 or 503, no login)"});
            }
            for (HostPort n : group.nodeAddresses()) {
                rows.add(new String[] {n.equals(master) ? "redis master" : "redis replica", n.toString(),
                        "redis-cli -p " + n.port() + " -a " + pw + " ROLE"});
            }
            for (HostPort s : group.sentinelAddresses()) {
                rows.add(new String[] {"sentinel", s.toString(), "redis-cli -p " + s.port() + " SENTINEL GET-MASTER-ADDR-BY-NAME " + MASTER_NAME});
            }
            int w0 = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
            int w1 = rows.stream().mapToInt(r -> r[1].length()).max().orElse(0);

            out.println();
            out.println("Ferry demo: 3 redis-server (password " + pw + "), 3 Sentinels (quorum 2, down-after " + downAfterMillis
                    + " ms, master name " + MASTER_NAME + "), 2 Ferry instances.");
            out.println();
            for (String[] r : rows) out.println("  " + pad(r[0], w0) + "  " + pad(r[1], w1) + "  " + r[2]);
            out.println();
            out.println("Fail over (the table shows the first master; the stats pages show the current one):");
            out.println("  ./ferry drill --demo                 writes through both instances, fails over, reports what they lived through");
            out.println("  ./ferry drill --demo --crash         the same, but kill -9 the master (Sentinel acts after " + downAfterMillis + " ms)");
            out.println("  redis-cli -p " + master.port() + " -a " + pw + " FAILOVER TO 127.0.0.1 " + replica.port() + "   as the seed's test does");
            out.println("  redis-cli -p " + sentinel + " SENTINEL FAILOVER " + MASTER_NAME + "   Sentinel picks the new master");
            out.println();
            out.println("Folder " + dir + ": " + instances.stream().map(in -> in.config().getFileName().toString())
                    .collect(Collectors.joining(", ")) + " (./ferry check --config ...), demo.json, ferry.log, redis/ (node and Sentinel logs).");
            out.println("Ctrl-C stops everything and removes the folder. Switches as the instances see them:");
        }

        private static String pad(String s, int w) {
            return s.length() >= w ? s : s + " ".repeat(w - s.length());
        }

        /** Starts a dead Redis process again after a while, as an operator would; never a master the Sentinels still name. */
        private void supervise() {
            long now = System.nanoTime();
            long delay = Math.max(10_000, 2 * downAfterMillis + 5_000);
            for (RedisProcess p : Stream.concat(group.nodes().stream(), group.sentinels().stream()).toList()) {
                if (p.alive()) {
                    deadSince.remove(p);
                    continue;
                }
                Long since = deadSince.get(p);
                if (since == null) {
                    deadSince.put(p, now);
                    say(p + " exited; the demo starts it again in " + delay / 1000 + " s, as an operator would");
                    continue;
                }
                if (now - since < delay * 1_000_000 || stillNamedMaster(p)) continue;
                synchronized (lock) {
                    if (closing) return;
                    try {
                        p.restart();
                        deadSince.remove(p);
                        say(p + " started again (pid " + p.pid() + ")"
                                + (p.kind() == RedisProcess.Kind.SERVER ? ", empty: Sentinel makes it a replica of the current master" : ""));
                    } catch (RuntimeException e) {
                        deadSince.put(p, now);
                        say("could not start " + p + " again: " + e.getMessage().lines().findFirst().orElse(""));
                    }
                }
            }
        }

        /** Starting an empty node the Sentinels still call master would wipe the group's data: wait for the failover. */
        private boolean stillNamedMaster(RedisProcess p) {
            if (p.kind() != RedisProcess.Kind.SERVER) return false;
            try {
                return p.address().equals(group.sentinelMaster());
            } catch (RuntimeException e) {
                return true;
            }
        }

        private void say(String line) {
            if (closing) return;  // what the instances see while everything stops is noise
            synchronized (events) {
                events.println("  " + LocalTime.now().format(CLOCK) + "  " + line);
                events.flush();
            }
        }

        /** Tells what one instance's topology does, in one line each. */
        private final class Narrator implements TopologyListener {
            private final String name;

            Narrator(String name) {
                this.name = name;
            }

            @Override
            public void onVerdict(Verdict before, Verdict now) {
                if (!now.hasMaster() && before.hasMaster()) {
                    say(name + ": " + (now.held() != null ? "holding client traffic to " + now.held() : "no master") + ": " + now.reason());
                }
            }

            @Override
            public void onSwitch(SwitchRecord r) {
                say(name + ": master " + r.from() + " -> " + r.to() + " after " + r.took().toMillis() + " ms (" + r.basis() + ")");
            }

            @Override
            public void onFence(HostPort node, HostPort newMaster, boolean succeeded) {
                say(name + ": fenced old master " + node + " (REPLICAOF " + newMaster + ")" + (succeeded ? "" : " failed"));
            }
        }

        /** Stops both Ferry instances and every Redis process and waits until they are gone; the folder stays. */
        void closeProcesses() {
            synchronized (lock) {
                if (closing) return;
                closing = true;
            }
            supervisor.shutdownNow();
            for (Instance in : instances) in.ferry().close();
            if (group == null) return;
            group.close();
            // RedisGroup's own shutdown hook may be the one killing them right now: wait for the exits either way.
            List<RedisProcess> all = Stream.concat(group.nodes().stream(), group.sentinels().stream()).toList();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (all.stream().anyMatch(RedisProcess::alive) && System.nanoTime() - deadline < 0) sleep(20);
        }

        /** Stops everything and removes the demo folder. */
        @Override
        public void close() {
            closeProcesses();
            deleteRecursively(dir);
        }

        static void deleteRecursively(Path root) {
            if (!Files.exists(root)) return;
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a file vanished while walking: the folder is going away anyway
            }
        }

        private static void writePrivate(Path file, String text) throws IOException {
            Files.writeString(file, text, StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the temp folder's own permissions must do
            }
        }

        private static String secret(int bytes) {
            byte[] b = new byte[bytes];
            new SecureRandom().nextBytes(b);
            return HexFormat.of().formatHex(b);
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
    }

    /** Sends every log line to a file in the demo folder and keeps only errors on the console, so the table stays readable. */
    static final class LogToFile implements AutoCloseable {
        private final LoggerContext context;
        private final FileAppender<ILoggingEvent> file;
        private final List<Appender<ILoggingEvent>> console;

        private LogToFile(LoggerContext context, FileAppender<ILoggingEvent> file, List<Appender<ILoggingEvent>> console) {
            this.context = context;
            this.file = file;
            this.console = console;
        }

        static LogToFile install(Path path) {
            if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) return new LogToFile(null, null, List.of());
            ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            List<Appender<ILoggingEvent>> console = new ArrayList<>();
            root.iteratorForAppenders().forEachRemaining(a -> {
                ThresholdFilter errorsOnly = new ThresholdFilter();
                errorsOnly.setLevel("ERROR");
                errorsOnly.start();
                a.addFilter(errorsOnly);
                console.add(a);
            });
            PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(ctx);
            encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %msg%n");
            encoder.start();
            FileAppender<ILoggingEvent> file = new FileAppender<>();
            file.setContext(ctx);
            file.setName("demo-file");
            file.setFile(path.toString());
            file.setEncoder(encoder);
            file.start();
            root.addAppender(file);
            return new LogToFile(ctx, file, console);
        }

        @Override
        public void close() {
            if (context == null) return;
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(file);
            file.stop();
            console.forEach(Appender::clearAllFilters);
        }
    }
}
