package dev.ferry.demo;

import dev.ferry.config.ConfigException;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.Credentials;
import dev.ferry.config.HostPort;
import dev.ferry.demo.group.FerryProcess;
import dev.ferry.demo.group.HaproxyProcess;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.demo.group.RedisProcess;
import dev.ferry.resp.RedisException;
import dev.ferry.resp.RedisLink;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The running demo: a {@link RedisGroup} at fixed ports, two Ferry instances each in its own JVM
 * ({@code ferry run}, as on its own host) and a {@link Balancer} in front of them, their config files and
 * a {@code demo.json} in the demo folder. Like an operator's supervisor it starts a process again when it
 * dies: a Ferry instance after 2 s (systemd's RestartSec in deploy/ferry.service), a Redis process once
 * the Sentinels no longer name it; so crash drills can be repeated.
 */
public final class Demo implements AutoCloseable {
    static final String MASTER_NAME = "mymaster";
    static final String FRONTEND = "redis";
    static final String ADMIN_USER = "admin";
    /** How long after its death a proxy instance is started again: deploy/ferry.service's RestartSec. */
    public static final Duration RESTART_DELAY = Duration.ofSeconds(2);
    private static final Duration MASTER_TIMEOUT = Duration.ofSeconds(20);
    /** How long a stopping instance may take: its drain and the closing of its listeners and sessions. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /** Start to healthy: a JVM's start and the first round of checks, on a machine shared with other work (seen: 45 s at load 35). */
    private static final Duration INSTANCE_TIMEOUT = Duration.ofSeconds(90);

    /** One Ferry instance, as the seed's haproxy1 or haproxy2: its own process, as on its own host. */
    public record Instance(String name, Path config, FerryProcess process, HostPort client, HostPort admin) {}

    private final DemoPorts ports;
    private final Path dir;
    private final long downAfterMillis;
    private final String password = secret(12);
    private final String adminPassword = secret(8);
    private final DemoEvents events;
    private final DemoSupervisor supervisor;
    private final List<String> ferry;
    private final List<Instance> instances = new ArrayList<>();
    private final List<InstanceNarrator> narrators = new ArrayList<>();
    private RedisGroup group;
    private HaproxyProcess balancer;

    private Demo(DemoPorts ports, Path dir, long downAfterMillis, PrintWriter events, List<String> ferry) {
        this.ports = ports;
        this.ferry = List.copyOf(ferry);
        this.dir = dir;
        this.downAfterMillis = downAfterMillis;
        this.events = new DemoEvents(events);
        this.supervisor = new DemoSupervisor(downAfterMillis, this.events);
    }

    /**
     * Starts the group, then both Ferry instances, then the load balancer, and returns once both route to
     * the master and a connection through the load balancer reaches it.
     * {@code dir} must exist; {@link #close()} removes it. {@code events} gets one line per switch,
     * fence and restart; {@code ferry} is the command that runs Ferry's command line
     * ({@link FerryProcess#commandOf}), with which each instance runs {@code ferry run}.
     */
    public static Demo start(DemoPorts ports, Path dir, long downAfterMillis, PrintWriter events, List<String> ferry)
            throws IOException, ConfigException {
        Demo d = new Demo(ports, dir, downAfterMillis, events, ferry);
        try {
            d.startAll();
            return d;
        } catch (IOException | ConfigException | RuntimeException e) {
            d.closeProcesses();
            throw e;
        }
    }

    private void startAll() throws IOException, ConfigException {
        group = RedisGroup.builder().password(password).downAfterMillis(downAfterMillis).failoverTimeoutMillis(10_000)
                .masterName(MASTER_NAME).basePort(ports.base()).dir(dir.resolve("redis")).start();
        for (int i = 0; i < DemoPorts.INSTANCES; i++) {
            String name = "ferry-" + (i + 1);
            Path config = dir.resolve(name + ".yaml");
            DemoFolder.writePrivate(config, DemoFiles.instanceYaml(this, i, name, config));
            new ConfigLoader().load(config); // a mistake here is the demo's: say it before a JVM starts on it
            HostPort admin = new HostPort("127.0.0.1", ports.admin(i));
            instances.add(new Instance(name, config, FerryProcess.start(name, ferry, config, admin), new HostPort("127.0.0.1", ports.client(i)), admin));
        }
        for (Instance in : instances) in.process().awaitHealthy(INSTANCE_TIMEOUT);
        List<Balancer.Backend> backends = instances.stream().map(in -> new Balancer.Backend(in.name(), in.client(), in.admin())).toList();
        balancer = Balancer.start("balancer", dir, balancerAddress(), balancerStats(), ADMIN_USER, adminPassword, backends);
        awaitBalancer();
        for (Instance in : instances) narrators.add(new InstanceNarrator(in.name(), in.process().logFile(), events));
        DemoFolder.writePrivate(dir.resolve("demo.json"), DemoFiles.json(this));
        supervisor.start(group, instances.stream().map(Instance::process).toList());
    }

    /** Waits until a connection through the load balancer answers PING (its checks need {@link Balancer#RISE} successes first). */
    private void awaitBalancer() {
        long deadline = System.nanoTime() + MASTER_TIMEOUT.toNanos();
        String last = "no answer";
        while (true) {
            try (RedisLink l = RedisLink.open(balancerAddress(), new Credentials(null, password), Duration.ofSeconds(1), null)) {
                Object r = l.call("PING");
                if ("PONG".equals(r)) return;
                last = String.valueOf(r);
            } catch (IOException | RedisException e) {
                last = e.getMessage();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the load balancer " + balancerAddress() + " routed no connection to a Ferry instance within "
                        + MASTER_TIMEOUT.toSeconds() + " s (" + last + "); see " + balancer.logFile());
            }
            sleep(100);
        }
    }

    /** Where applications connect. */
    public HostPort balancerAddress() {
        return new HostPort("127.0.0.1", ports.balancer());
    }

    /** The load balancer's process (HAProxy). */
    public HaproxyProcess balancer() {
        return balancer;
    }

    public HostPort balancerStats() {
        return new HostPort("127.0.0.1", ports.balancerStats());
    }

    public List<Instance> instances() {
        return List.copyOf(instances);
    }

    public RedisGroup group() {
        return group;
    }

    public DemoPorts ports() {
        return ports;
    }

    public Path dir() {
        return dir;
    }

    public long downAfterMillis() {
        return downAfterMillis;
    }

    public String password() {
        return password;
    }

    public String adminPassword() {
        return adminPassword;
    }

    /** Where {@code ferry drill --demo} looks first: a file in the temp directory naming the running demo's folder. */
    public static Path pointerFile() {
        return DemoPointer.file();
    }

    /** The table a person reads after the start: where to connect, the stats pages, how to fail over. */
    public void printTable(PrintWriter out) {
        DemoTable.print(this, out);
    }

    /** Stops the load balancer, both Ferry instances and every Redis process and waits until they are gone; the folder stays. */
    public void closeProcesses() {
        if (!supervisor.stop()) return;
        narrators.forEach(InstanceNarrator::close);
        if (balancer != null) balancer.stop();
        // SIGTERM to both at once: each drains (/health 503) for its admin.drain, then closes.
        instances.forEach(in -> new Thread(() -> in.process().stop(STOP_GRACE), "ferry-demo-stop-" + in.name()).start());
        long until = System.nanoTime() + STOP_GRACE.plusSeconds(2).toNanos();
        while (instances.stream().anyMatch(in -> in.process().alive()) && System.nanoTime() - until < 0) sleep(20);
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
        DemoFolder.deleteRecursively(dir);
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
