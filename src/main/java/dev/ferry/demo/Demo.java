package dev.ferry.demo;

import dev.ferry.Ferry;
import dev.ferry.Launcher;
import dev.ferry.config.ConfigException;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.HostPort;
import dev.ferry.config.Credentials;
import dev.ferry.demo.group.HaproxyProcess;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.demo.group.RedisProcess;
import dev.ferry.proxy.BindFailure;
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
 * The running demo: a {@link RedisGroup} at fixed ports, two Ferry instances started with
 * {@link Launcher#start} and a {@link Balancer} in front of them, their config files and a
 * {@code demo.json} in the demo folder. It starts a
 * Redis process again when one dies (once the Sentinels no longer name it), so a crash drill can be
 * repeated.
 */
public final class Demo implements AutoCloseable {
    static final String MASTER_NAME = "mymaster";
    static final String FRONTEND = "redis";
    static final String ADMIN_USER = "admin";
    private static final Duration MASTER_TIMEOUT = Duration.ofSeconds(20);

    /** One Ferry instance, as the seed's haproxy1 or haproxy2. */
    public record Instance(String name, Path config, Ferry ferry, HostPort client, HostPort admin) {}

    private final DemoPorts ports;
    private final Path dir;
    private final long downAfterMillis;
    private final String password = secret(12);
    private final String adminPassword = secret(8);
    private final DemoEvents events;
    private final DemoSupervisor supervisor;
    private final List<Instance> instances = new ArrayList<>();
    private RedisGroup group;
    private HaproxyProcess balancer;

    private Demo(DemoPorts ports, Path dir, long downAfterMillis, PrintWriter events) {
        this.ports = ports;
        this.dir = dir;
        this.downAfterMillis = downAfterMillis;
        this.events = new DemoEvents(events);
        this.supervisor = new DemoSupervisor(downAfterMillis, this.events);
    }

    /**
     * Starts the group, then both Ferry instances, then the load balancer, and returns once both route to
     * the master and a connection through the load balancer reaches it.
     * {@code dir} must exist; {@link #close()} removes it. {@code events} gets one line per switch,
     * fence and restart.
     */
    public static Demo start(DemoPorts ports, Path dir, long downAfterMillis, PrintWriter events)
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
        for (int i = 0; i < DemoPorts.INSTANCES; i++) {
            String name = "ferry-" + (i + 1);
            Path config = dir.resolve(name + ".yaml");
            DemoFolder.writePrivate(config, DemoFiles.instanceYaml(this, i, name, config));
            Ferry ferry = Launcher.start(new ConfigLoader().load(config));
            instances.add(new Instance(name, config, ferry, ferry.frontends().get(0).server().boundAddress(),
                    new HostPort("127.0.0.1", ports.admin(i))));
        }
        awaitMaster();
        List<Balancer.Backend> backends = instances.stream().map(in -> new Balancer.Backend(in.name(), in.client(), in.admin())).toList();
        balancer = Balancer.start("balancer", dir, balancerAddress(), balancerStats(), adminPassword, backends);
        awaitBalancer();
        for (Instance in : instances) in.ferry().frontends().get(0).topology().addListener(new InstanceNarrator(in.name(), events));
        DemoFolder.writePrivate(dir.resolve("demo.json"), DemoFiles.json(this));
        supervisor.start(group);
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

    public static HostPort routedMaster(Instance in) {
        return in.ferry().frontends().get(0).topology().snapshot().verdict().master();
    }

    /** Where {@code ferry drill --demo} looks first: a file in the temp directory naming the running demo's folder. */
    public static Path pointerFile() {
        return DemoPointer.file();
    }

    /** The table a person reads after the start: where to connect, the stats pages, how to fail over. */
    public void printTable(PrintWriter out) {
        DemoTable.print(this, out);
    }

    /** Stops both Ferry instances and every Redis process and waits until they are gone; the folder stays. */
    public void closeProcesses() {
        if (!supervisor.stop()) return;
        if (balancer != null) balancer.stop();
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
