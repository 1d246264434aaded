package dev.ferry.cli;

import dev.ferry.config.ConfigException;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.Credentials;
import dev.ferry.config.FerryConfig;
import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.RedisException;
import dev.ferry.resp.RedisLink;
import dev.ferry.testkit.WriteLoad;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry drill}: the seed document's failover test, measured. Writes through every Ferry instance,
 * fails the master over (Sentinel, or kill -9 with {@code --crash}), waits for the new master, then
 * reports what each instance and writer lived through and whether every acknowledged write survived.
 */
@Command(name = "drill", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Rehearse a failover through every Ferry instance; report what clients lived through.",
        description = {
            "Rehearse the seed's failover test through every Ferry instance: write through each one (a new connection "
                    + "per write, and one persistent connection), ask Sentinel for a failover (or kill -9 the master with "
                    + "--crash), wait until the Sentinels agree on a new master and writes succeed again, write 2 s more, "
                    + "then report the switch each instance made, the failed writes, and whether every acknowledged write "
                    + "is on the new master.",
            "",
            "Exit 0 when every instance recovered and no acknowledged write was lost; 1 when not (or the failover was "
                    + "refused); 2 for a usage or configuration mistake.",
            ""})
final class DrillCommand implements Callable<Integer> {
    private static final Duration SETTLE = Duration.ofSeconds(1);
    private static final Duration AFTER = Duration.ofSeconds(2);
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(20);
    private static final Duration LINK_TIMEOUT = Duration.ofSeconds(2);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "A Ferry instance's configuration; repeat it for every instance. The drill writes through each one's frontend bind address.")
    List<Path> configs = new ArrayList<>();

    @Option(names = "--demo", description = "Drill the running 'ferry demo' (its configs, through the demo.json it names).")
    boolean demo;

    @Option(names = "--frontend", paramLabel = "NAME", description = "The frontend to drill when a configuration has several.")
    String frontend;

    @Option(names = "--through", paramLabel = "HOST:PORT",
            description = "Write through these addresses instead of the configurations' bind addresses (each instance's own IP "
                    + "when they bind 0.0.0.0, or the load balancer); repeat for each.")
    List<String> through = new ArrayList<>();

    @Option(names = "--crash", description = "Kill -9 the master instead of asking Sentinel; only when the master runs on this host.")
    boolean crash;

    @Option(names = "--planned", description = "A planned failover ('ferry failover': pause, sync, Sentinel promotes) instead of SENTINEL FAILOVER.")
    boolean planned;

    @Option(names = "--timeout", paramLabel = "SECONDS",
            description = "How long to wait for a new master that takes writes through every instance (default ${DEFAULT-VALUE}).")
    int timeoutSeconds = 60;

    @Option(names = "--interval", paramLabel = "MS", description = "Pause between two writes of one writer (default ${DEFAULT-VALUE}).")
    int intervalMillis = 10;

    @Option(names = "--keep-keys", description = "Leave the drill's keys in Redis (they are removed after the count otherwise).")
    boolean keepKeys;

    @Spec CommandSpec spec;

    /** Something that stops the drill, worded for an operator, with its exit code. */
    static final class Stop extends Exception {
        final int exit;

        Stop(int exit, String message) {
            super(message, null, false, false);
            this.exit = exit;
        }
    }

    /** One Ferry instance the drill writes through. */
    record Target(String name, HostPort address) {}

    /** What the drill needs: the instances, and the group behind them as the first configuration names it. */
    record Plan(List<Target> targets, String masterName, List<HostPort> sentinels, Credentials sentinelAuth, Credentials redisAuth,
                FrontendConfig first) {}

    private static List<HostPort> addresses(List<String> texts) throws Stop {
        List<HostPort> out = new ArrayList<>();
        for (String t : texts) {
            try {
                out.add(HostPort.parse(t));
            } catch (IllegalArgumentException e) {
                throw new Stop(Main.EXIT_CONFIG, "--through: " + e.getMessage());
            }
        }
        return out;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (planned && crash) throw new Stop(Main.EXIT_CONFIG, "--planned and --crash exclude each other");
            if (demo == !configs.isEmpty()) throw new Stop(Main.EXIT_CONFIG, "name the instances with --config FILE (once per instance), or use --demo");
            if (timeoutSeconds < 1) throw new Stop(Main.EXIT_CONFIG, "--timeout must be at least 1 second");
            if (intervalMillis < 1) throw new Stop(Main.EXIT_CONFIG, "--interval must be at least 1 ms");
            List<Path> files = demo ? demoConfigs() : configs;
            Plan plan = plan(files, frontend, addresses(through));
            return new Drill(plan, crash, planned, Duration.ofSeconds(timeoutSeconds), Duration.ofMillis(intervalMillis), keepKeys, out).run();
        } catch (Stop e) {
            out.flush();
            err.println("ferry drill: " + e.getMessage());
            return e.exit;
        }
    }

    // ---- finding the instances

    /**
     * Reads every configuration; each names one Ferry instance (its frontend's bind address) in front of the
     * same group, unless {@code through} names the addresses to write through.
     */
    static Plan plan(List<Path> files, String frontend, List<HostPort> through) throws Stop {
        ConfigLoader loader = new ConfigLoader();
        List<Target> targets = new ArrayList<>();
        Set<String> names = new HashSet<>();
        FrontendConfig first = null;
        for (Path file : files) {
            FerryConfig cfg;
            try {
                cfg = loader.load(file);
            } catch (ConfigException e) {
                throw new Stop(Main.EXIT_CONFIG, e.getMessage());
            }
            FrontendConfig fc = pick(file, cfg, frontend);
            if (fc.staticMode()) {
                throw new Stop(Main.EXIT_CONFIG, file + ": frontend '" + fc.name() + "' has no sentinels:; the drill asks Sentinel for the failover");
            }
            if (first == null) {
                first = fc;
            } else if (!first.masterName().equals(fc.masterName())) {
                throw new Stop(Main.EXIT_CONFIG, file + ": frontend '" + fc.name() + "' follows master name '" + fc.masterName()
                        + "', the first configuration '" + first.masterName() + "'; a drill rehearses one group");
            }
            if (fc.bind().port() == 0 && through.isEmpty()) {
                throw new Stop(Main.EXIT_CONFIG, file + ": frontend '" + fc.name() + "' binds port 0, so the drill cannot know where it listens");
            }
            String name = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
            if (!names.add(name)) name = name + "#" + (targets.size() + 1);
            targets.add(new Target(name, connectable(fc.bind())));
        }
        if (!through.isEmpty()) targets = through.stream().map(a -> new Target(a.toString(), a)).toList();
        return new Plan(targets, first.masterName(), first.sentinels(), first.sentinelAuth(), first.redisAuth(), first);
    }

    private static FrontendConfig pick(Path file, FerryConfig cfg, String name) throws Stop {
        if (name != null) {
            return cfg.frontend(name).orElseThrow(() -> new Stop(Main.EXIT_CONFIG, file + ": no frontend named '" + name + "'"));
        }
        if (cfg.frontends().size() > 1) {
            throw new Stop(Main.EXIT_CONFIG, file + " has frontends " + cfg.frontends().stream().map(FrontendConfig::name)
                    .collect(Collectors.joining(", ")) + ": choose one with --frontend NAME");
        }
        return cfg.frontends().get(0);
    }

    /** A wildcard bind is reached on loopback. */
    private static HostPort connectable(HostPort bind) {
        if (bind.host().equals("0.0.0.0")) return new HostPort("127.0.0.1", bind.port());
        if (bind.host().equals("::") || bind.host().equals("[::]")) return new HostPort("::1", bind.port());
        return bind;
    }

    /** The running demo's config files: through the pointer file it writes, else the newest demo.json whose process lives. */
    static List<Path> demoConfigs() throws Stop {
        List<Path> candidates = new ArrayList<>();
        Path pointer = DemoCommand.Demo.pointerFile();
        try {
            if (Files.isRegularFile(pointer)) candidates.add(Path.of(Files.readString(pointer).strip(), "demo.json"));
        } catch (IOException | RuntimeException e) {
            // unreadable pointer: look at the folders themselves
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(pointer.getParent(), "ferry-demo-*")) {
            for (Path d : dirs) if (Files.isRegularFile(d.resolve("demo.json"))) found.add(d.resolve("demo.json"));
        } catch (IOException e) {
            // no temp directory listing: only the pointer can help
        }
        found.sort((a, b) -> Long.compare(modified(b), modified(a)));
        candidates.addAll(found);
        for (Path json : candidates) {
            Map<?, ?> demo = readJson(json);
            if (demo == null || !(demo.get("pid") instanceof Number pid) || ProcessHandle.of(pid.longValue()).isEmpty()) continue;
            if (!(demo.get("ferry") instanceof List<?> ferries)) continue;
            List<Path> files = new ArrayList<>();
            for (Object f : ferries) if (f instanceof Map<?, ?> m && m.get("config") != null) files.add(Path.of(String.valueOf(m.get("config"))));
            if (!files.isEmpty()) return files;
        }
        throw new Stop(1, "no running demo found (looked at " + pointer + " and " + pointer.getParent().resolve("ferry-demo-*")
                + "/demo.json); start one with ./ferry demo");
    }

    private static Map<?, ?> readJson(Path json) {
        try {
            Object o = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(json, StandardCharsets.UTF_8));
            return o instanceof Map<?, ?> m ? m : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    // ---- the drill

    /** One run: writers and probes through every instance, the failover, the wait, the report. */
    static final class Drill {
        private final Plan plan;
        private final boolean crash;
        private final boolean planned;
        private java.util.concurrent.CompletableFuture<String> plannedReport;
        private final Duration timeout;
        private final Duration interval;
        private final boolean keepKeys;
        private final PrintWriter out;
        private final String prefix = "ferry-drill:" + LocalDateTime.now().format(STAMP);
        private long t0;

        Drill(Plan plan, boolean crash, boolean planned, Duration timeout, Duration interval, boolean keepKeys, PrintWriter out) {
            this.plan = plan;
            this.crash = crash;
            this.planned = planned;
            this.timeout = timeout;
            this.interval = interval;
            this.keepKeys = keepKeys;
            this.out = out;
        }

        int run() throws Stop {
            HostPort old = agreedMaster().orElseThrow(() -> new Stop(1, "the Sentinels " + plan.sentinels()
                    + " do not agree on a master for '" + plan.masterName() + "' now; run 'ferry check' and retry once they do"));
            String oldRole = role(old);
            if (!"master".equals(oldRole)) {
                throw new Stop(1, "the Sentinels name " + old + " as master, but it answers ROLE " + oldRole
                        + " (a FAILOVER TO made beside Sentinel?); retry once they agree with the nodes ('ferry check' says when)");
            }
            String oldRunId = info(old, "server").get("run_id");
            ProcessHandle victim = crash ? localRedis(old) : null;
            for (Target t : plan.targets()) {
                try (RedisLink l = RedisLink.open(t.address(), plan.redisAuth(), LINK_TIMEOUT, null)) {
                    Object r = l.call("PING");
                    if (!"PONG".equals(r)) throw new Stop(1, t.name() + " (" + t.address() + ") answers PING with " + r);
                } catch (IOException | RedisException e) {
                    throw new Stop(1, t.name() + " (" + t.address() + ") does not take connections: " + e.getMessage());
                }
            }
            out.println("ferry drill: " + (crash ? "kill -9 of the master" : "SENTINEL FAILOVER " + plan.masterName()) + " through "
                    + plan.targets().size() + " Ferry instance(s): " + plan.targets().stream().map(t -> t.name() + " " + t.address())
                    .collect(Collectors.joining(", ")));
            out.println("  master before: " + old + " (the Sentinels agree); keys " + prefix + ":*");
            out.println("  writers: per instance one new connection per write and one persistent connection, every "
                    + interval.toMillis() + " ms; a probe every " + PROBE_INTERVAL.toMillis() + " ms tells which node took each write");
            out.flush();

            Map<Target, List<Writer>> writers = new LinkedHashMap<>();
            Map<Target, Probe> probes = new LinkedHashMap<>();
            for (Target t : plan.targets()) {
                writers.put(t, List.of(
                        new Writer(t.name() + " new conn", WriteLoad.start(t.address(), plan.redisAuth(), interval, false, prefix + ":" + t.name() + ":fresh")),
                        new Writer(t.name() + " persistent", WriteLoad.start(t.address(), plan.redisAuth(), interval, true, prefix + ":" + t.name() + ":kept"))));
                probes.put(t, Probe.start(t, plan.redisAuth(), prefix + ":" + t.name() + ":probe"));
            }
            HostPort now = null;
            try {
                sleep(SETTLE);
                for (Map.Entry<Target, List<Writer>> e : writers.entrySet()) {
                    for (Writer w : e.getValue()) {
                        if (w.load().acked().isEmpty()) {
                            throw new Stop(1, "writes through " + e.getKey().name() + " fail before any failover: " + w.load().failures()
                                    + "; is that instance routing to a master?");
                        }
                    }
                }
                t0 = System.nanoTime();
                String how = crash ? kill(victim, old) : planned ? plannedFailover() : sentinelFailover();
                progress(0, how);
                Outcome o = await(old, oldRunId, probes);
                now = o.master();
                if (o.recovered()) {
                    progress(o.recoveredNanos(), "writes reach " + now + " through every instance; writing " + AFTER.toSeconds() + " s more");
                    sleep(AFTER);
                } else {
                    progress(System.nanoTime() - t0, "NO RECOVERY within " + timeout.toSeconds() + " s: " + o.missing());
                }
                stop(writers, probes);
                if (plannedReport != null) out.print(plannedReport.join());
                return report(old, oldRunId, o, writers, probes);
            } finally {
                stop(writers, probes);
                if (!keepKeys) cleanUp(now != null ? now : old);
            }
        }

        private record Writer(String name, WriteLoad load) {}

        private record Outcome(HostPort master, String runId, long agreedNanos, long recoveredNanos, String missing) {
            boolean recovered() {
                return recoveredNanos >= 0;
            }
        }

        /** Polls until the Sentinels agree on another master that says so, and a probe write through every instance reached it. */
        private Outcome await(HostPort old, String oldRunId, Map<Target, Probe> probes) {
            long deadline = t0 + timeout.toNanos();
            HostPort master = null;
            String runId = null;
            long agreed = -1;
            while (true) {
                if (master == null) {
                    Optional<HostPort> m = agreedMaster();
                    if (m.isPresent() && !m.get().equals(old) && "master".equals(role(m.get()))) {
                        master = m.get();
                        agreed = System.nanoTime() - t0;
                        runId = info(master, "server").get("run_id");
                        progress(agreed, "the Sentinels agree on the new master " + master);
                    }
                }
                if (master != null && runId != null) {
                    String id = runId;
                    List<String> waiting = probes.entrySet().stream().filter(e -> e.getValue().firstOn(id, t0) < 0)
                            .map(e -> e.getKey().name()).toList();
                    if (waiting.isEmpty()) return new Outcome(master, runId, agreed, System.nanoTime() - t0, "");
                    if (System.nanoTime() - deadline > 0) {
                        return new Outcome(master, runId, agreed, -1, "no write through " + String.join(", ", waiting) + " reached " + master);
                    }
                } else if (System.nanoTime() - deadline > 0) {
                    return new Outcome(null, null, -1, -1, "the Sentinels name no new master that answers ROLE master");
                }
                sleep(Duration.ofMillis(50));
            }
        }

        private int report(HostPort old, String oldRunId, Outcome o, Map<Target, List<Writer>> writers, Map<Target, Probe> probes) {
            out.println();
            out.println("Switch seen through each instance (times from the failover command):");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"instance", "address", "last write on old", "first write on new", "gap", "longest stall"});
            for (Target t : plan.targets()) {
                Probe p = probes.get(t);
                long lastOld = p.lastOn(oldRunId, t0);
                long firstNew = o.runId() == null ? -1 : p.firstOn(o.runId(), t0);
                rows.add(new String[] {t.name(), t.address().toString(), lastOld < 0 ? "-" : "+" + ms(lastOld),
                        firstNew < 0 ? "NONE" : "+" + ms(firstNew), lastOld < 0 || firstNew < 0 ? "-" : ms(firstNew - lastOld),
                        ms(p.longestStall())});
            }
            table(rows);

            out.println();
            out.println("Writers:");
            rows = new ArrayList<>();
            rows.add(new String[] {"writer", "acked", "failed", "failures by kind", "longest failure", "lost"});
            int lostTotal = 0;
            int ackedTotal = 0;
            boolean counted = o.master() != null;
            for (List<Writer> ws : writers.values()) {
                for (Writer w : ws) {
                    String lost = "?";
                    if (o.master() != null) {
                        try {
                            int n = w.load().countLost(o.master());
                            lostTotal += n;
                            lost = Integer.toString(n);
                        } catch (Exception e) {
                            counted = false;
                            lost = "? (" + e.getMessage() + ")";
                        }
                    }
                    ackedTotal += w.load().acked().size();
                    Map<String, Integer> f = w.load().failures();
                    rows.add(new String[] {w.name(), Integer.toString(w.load().acked().size()), Integer.toString(w.load().failed()),
                            f.isEmpty() ? "-" : f.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", ")),
                            ms(w.load().longestFailure().toNanos()), lost});
                }
            }
            table(rows);

            out.println();
            int lateOnOld = o.agreedNanos() < 0 ? 0 : probes.values().stream().mapToInt(p -> p.countOnAfter(oldRunId, t0 + o.agreedNanos())).sum();
            if (!counted) {
                out.println("Writes to a demoted master: unknown (no new master to read the acknowledged writes from)");
            } else if (lostTotal == 0 && lateOnOld == 0) {
                out.println("Writes to a demoted master: none");
            } else {
                out.println("Writes to a demoted master: YES: " + lostTotal + " acknowledged writes are missing on " + o.master()
                        + (lateOnOld > 0 ? ", and " + lateOnOld + " probe writes were taken by " + old + " after the Sentinels named " + o.master() : ""));
            }
            if (counted) {
                out.println("Every acknowledged write on the new master " + o.master() + ": "
                        + (lostTotal == 0 ? "yes (" + ackedTotal + " of " + ackedTotal + ")" : "NO: " + lostTotal + " of " + ackedTotal + " missing"));
            }
            boolean pass = o.recovered() && counted && lostTotal == 0 && lateOnOld == 0;
            out.println("Result: " + (pass ? "PASS" : "FAIL") + (o.recovered() ? "" : " (no recovery within " + timeout.toSeconds() + " s: " + o.missing() + ")"));
            out.flush();
            return pass ? 0 : 1;
        }

        private void table(List<String[]> rows) {
            int[] w = new int[rows.get(0).length];
            for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
            for (String[] r : rows) {
                StringBuilder b = new StringBuilder(" ");
                for (int i = 0; i < r.length; i++) {
                    b.append(' ').append(r[i]);
                    if (i < r.length - 1) b.append(" ".repeat(w[i] - r[i].length() + 1));
                }
                out.println(b);
            }
        }

        private void progress(long nanos, String what) {
            out.printf("  %-9s %s%n", "+" + ms(nanos), what);
            out.flush();
        }

        private static String ms(long nanos) {
            return nanos / 1_000_000 + " ms";
        }

        private void stop(Map<Target, List<Writer>> writers, Map<Target, Probe> probes) {
            writers.values().forEach(ws -> ws.forEach(w -> w.load().close()));
            probes.values().forEach(Probe::close);
        }

        // ---- the failover

        /**
         * {@code ferry failover} from this process, on a thread of its own so the writers and probes keep
         * measuring; its report is printed before the drill's. (CLIENT PAUSE WRITE on the master keeps it
         * lossless without a proxy-side hold.)
         */
        private String plannedFailover() {
            plannedReport = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return new dev.ferry.failover.PlannedFailover(plan.first(), java.util.Optional.empty(), java.util.Optional.empty())
                            .run(java.util.Optional.empty()).render();
                } catch (dev.ferry.failover.FailoverRefused | dev.ferry.failover.FailoverFailed e) {
                    return "planned failover: " + e.getMessage() + "\n";
                }
            });
            return "planned failover started (steers Sentinel with replica-priority, which it reads every 10 s)";
        }

        /** {@code SENTINEL FAILOVER <name>} on the first Sentinel that answers; a refusal stops the drill. */
        private String sentinelFailover() throws Stop {
            List<String> silent = new ArrayList<>();
            for (HostPort s : plan.sentinels()) {
                Object r;
                try (RedisLink l = RedisLink.open(s, plan.sentinelAuth(), LINK_TIMEOUT, null)) {
                    r = l.call("SENTINEL", "FAILOVER", plan.masterName());
                } catch (IOException | RedisException e) {
                    silent.add(s + ": " + e.getMessage());
                    continue;
                }
                if (r instanceof ErrorReply e) throw new Stop(1, "Sentinel " + s + " refused SENTINEL FAILOVER " + plan.masterName() + ": " + e.message());
                return "SENTINEL FAILOVER " + plan.masterName() + " sent to " + s + ": " + r;
            }
            throw new Stop(1, "no Sentinel took SENTINEL FAILOVER: " + String.join("; ", silent));
        }

        /** The master's process on this host, checked before any write: its address is local and the pid is a redis-server listening there. */
        private ProcessHandle localRedis(HostPort master) throws Stop {
            String refuse = "--crash: the master " + master;
            if (!isLocal(master.host())) {
                throw new Stop(1, refuse + " does not run on this host; run the drill on its host, or drill a Sentinel failover (without --crash)");
            }
            Map<String, String> server = info(master, "server");
            String pidText = server.get("process_id");
            if (pidText == null) throw new Stop(1, refuse + " did not tell its process_id (INFO server)");
            long pid = Long.parseLong(pidText.trim());
            ProcessHandle p = ProcessHandle.of(pid).orElseThrow(() -> new Stop(1, refuse + " says process_id " + pid
                    + ", but no such process runs here (a container or another host behind this address?); nothing killed"));
            String command = p.info().command().orElse("");
            if (!command.contains("redis")) {
                throw new Stop(1, refuse + " says process_id " + pid + ", but that process here is '"
                        + (command.isEmpty() ? "not visible to this user" : command) + "'; nothing killed");
            }
            if (!String.valueOf(master.port()).equals(server.get("tcp_port"))) {
                throw new Stop(1, refuse + " reports tcp_port " + server.get("tcp_port") + " (behind a port mapping?); nothing killed");
            }
            return p;
        }

        private String kill(ProcessHandle p, HostPort master) throws Stop {
            if (!p.destroyForcibly()) throw new Stop(1, "--crash: could not kill process " + p.pid() + " (permission?)");
            try {
                p.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new Stop(1, "--crash: process " + p.pid() + " of " + master + " survived SIGKILL for 5 s");
            }
            return "killed redis-server " + master + " (pid " + p.pid() + ", SIGKILL); the Sentinels act after down-after-milliseconds";
        }

        private static boolean isLocal(String host) {
            try {
                InetAddress a = InetAddress.getByName(host);
                return a.isLoopbackAddress() || a.isAnyLocalAddress() || NetworkInterface.getByInetAddress(a) != null;
            } catch (IOException e) {
                return false;
            }
        }

        // ---- asking Redis and the Sentinels

        /** The master every answering Sentinel names, when a majority answers and all name the same. */
        private Optional<HostPort> agreedMaster() {
            Set<HostPort> named = new HashSet<>();
            int answered = 0;
            for (HostPort s : plan.sentinels()) {
                try (RedisLink l = RedisLink.open(s, plan.sentinelAuth(), LINK_TIMEOUT, null)) {
                    Object r = l.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", plan.masterName());
                    if (r instanceof List<?> hp && hp.size() == 2) {
                        named.add(new HostPort(String.valueOf(hp.get(0)), Integer.parseInt(String.valueOf(hp.get(1)))));
                        answered++;
                    }
                } catch (IOException | RedisException | RuntimeException e) {
                    // a silent Sentinel has no say
                }
            }
            if (named.size() != 1 || answered < plan.sentinels().size() / 2 + 1) return Optional.empty();
            return Optional.of(named.iterator().next());
        }

        private String role(HostPort node) {
            try (RedisLink l = RedisLink.open(node, plan.redisAuth(), LINK_TIMEOUT, null)) {
                return l.call("ROLE") instanceof List<?> r && !r.isEmpty() ? String.valueOf(r.get(0)) : "unknown";
            } catch (IOException | RedisException e) {
                return "down";
            }
        }

        private Map<String, String> info(HostPort node, String section) {
            try (RedisLink l = RedisLink.open(node, plan.redisAuth(), LINK_TIMEOUT, null)) {
                return fields(l.call("INFO", section));
            } catch (IOException | RedisException e) {
                return Map.of();
            }
        }

        /** Removes this drill's keys (SCAN and UNLINK) so that a drill leaves the data set as it found it. */
        private void cleanUp(HostPort master) {
            int removed = 0;
            try (RedisLink l = RedisLink.open(master, plan.redisAuth(), Duration.ofSeconds(5), null)) {
                String cursor = "0";
                do {
                    if (!(l.call("SCAN", cursor, "MATCH", prefix + ":*", "COUNT", "1000") instanceof List<?> page) || page.size() != 2) break;
                    cursor = String.valueOf(page.get(0));
                    List<?> keys = (List<?>) page.get(1);
                    if (!keys.isEmpty()) {
                        List<String> args = new ArrayList<>(List.of("UNLINK"));
                        keys.forEach(k -> args.add(String.valueOf(k)));
                        if (l.call(args.toArray(String[]::new)) instanceof Long n) removed += n.intValue();
                    }
                } while (!cursor.equals("0"));
                out.println("Removed the drill's " + removed + " keys from " + master + " (--keep-keys keeps them).");
            } catch (IOException | RedisException | RuntimeException e) {
                out.println("Could not remove the drill's keys " + prefix + ":* from " + master + ": " + e.getMessage());
            }
            out.flush();
        }
    }

    static Map<String, String> fields(Object reply) {
        Map<String, String> m = new HashMap<>();
        if (reply instanceof String text) {
            for (String line : text.split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && !line.startsWith("#")) m.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return m;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Writes one key through an instance every 20 ms on a new connection, and asks the same connection
     * {@code INFO server} for the {@code run_id} of the node that took it: which node acknowledged what, when.
     */
    static final class Probe implements AutoCloseable {
        private record Ack(long nanos, String runId) {}

        private final Target target;
        private final Credentials auth;
        private final String key;
        private final List<Ack> acks = new ArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;
        private long stoppedNanos;

        private Probe(Target target, Credentials auth, String key) {
            this.target = target;
            this.auth = auth;
            this.key = key;
            this.thread = new Thread(this::run, "drill-probe-" + target.name());
            this.thread.setDaemon(true);
        }

        static Probe start(Target target, Credentials auth, String key) {
            Probe p = new Probe(target, auth, key);
            p.thread.start();
            return p;
        }

        private void run() {
            long n = 0;
            while (running) {
                long started = System.nanoTime();
                try (RedisLink l = RedisLink.open(target.address(), auth, LINK_TIMEOUT, null)) {
                    if ("OK".equals(l.call("SET", key, Long.toString(++n)))) {
                        long at = System.nanoTime();
                        String runId = fields(l.call("INFO", "server")).get("run_id");
                        synchronized (this) {
                            acks.add(new Ack(at, runId));
                        }
                    }
                } catch (IOException | RedisException | RuntimeException e) {
                    // a failed write is what the writers count; the probe only tells who took the ones that succeeded
                }
                long rest = PROBE_INTERVAL.toNanos() - (System.nanoTime() - started);
                if (rest > 0) sleep(Duration.ofNanos(rest));
            }
        }

        /** Nanos after {@code since} of the first write {@code runId} took after it, or -1. */
        synchronized long firstOn(String runId, long since) {
            for (Ack a : acks) if (a.nanos() >= since && runId.equals(a.runId())) return a.nanos() - since;
            return -1;
        }

        /** Nanos after {@code since} of the last write {@code runId} took after it, or -1. */
        synchronized long lastOn(String runId, long since) {
            long last = -1;
            for (Ack a : acks) if (a.nanos() >= since && runId != null && runId.equals(a.runId())) last = a.nanos() - since;
            return last;
        }

        synchronized int countOnAfter(String runId, long since) {
            return (int) acks.stream().filter(a -> a.nanos() >= since && runId != null && runId.equals(a.runId())).count();
        }

        /** The longest time without an acknowledged probe write, from the first one until the probe stopped. */
        synchronized long longestStall() {
            long longest = 0;
            for (int i = 1; i < acks.size(); i++) longest = Math.max(longest, acks.get(i).nanos() - acks.get(i - 1).nanos());
            if (!acks.isEmpty() && stoppedNanos > 0) longest = Math.max(longest, stoppedNanos - acks.get(acks.size() - 1).nanos());
            return longest;
        }

        @Override
        public void close() {
            if (!running) return;
            running = false;
            synchronized (this) {
                stoppedNanos = System.nanoTime();
            }
            try {
                thread.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
