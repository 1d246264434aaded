package dev.ferry.drill;

import dev.ferry.config.Credentials;
import dev.ferry.config.HostPort;
import dev.ferry.demo.Balancer;
import dev.ferry.demo.group.HaproxyProcess;
import dev.ferry.demo.group.PortAllocator;
import dev.ferry.resp.RedisException;
import dev.ferry.resp.RedisLink;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * For the side-by-side figure: the seed's two HAProxy servers (its exact configuration and checks, as
 * /work/shared/anchors/seed-topology.sh writes them) in front of the demo's Redis nodes, in Ferry's
 * place, behind a load balancer configured as the demo's. Each gets HAProxy's own health URL
 * ({@code monitor-uri /health}: 503 while no Redis server is up), so the balancer checks both kinds alike.
 */
final class SeedHaproxies implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    /**
     * HAProxy starts with every server up and takes each replica out only when its first check fails (3 s):
     * ready is this many writes in a row on new connections, which a replica would refuse.
     */
    private static final int WRITES_IN_A_ROW = 20;

    record Instance(String name, HaproxyProcess process, HostPort traffic, HostPort health) {}

    private final List<Instance> instances = new ArrayList<>();
    private HaproxyProcess balancer;
    private HostPort balancerAddress;
    private HostPort balancerStats;

    /** Starts both and the balancer, in {@code dir}; returns once writes through the balancer succeed. */
    static SeedHaproxies start(Path dir, RunningDemo demo) throws DrillStopped {
        SeedHaproxies s = new SeedHaproxies();
        try {
            for (int i = 1; i <= 2; i++) {
                HostPort traffic = new HostPort("127.0.0.1", PortAllocator.next());
                HostPort health = new HostPort("127.0.0.1", PortAllocator.next());
                String name = "haproxy" + i;
                HaproxyProcess p = HaproxyProcess.start(name, dir, config(traffic, health, demo.redis(), demo.redisAuth().password()), traffic);
                s.instances.add(new Instance(name, p, traffic, health));
            }
            for (Instance in : s.instances) awaitWrite(in.traffic(), demo.redisAuth(), in.name());
            s.balancerAddress = new HostPort("127.0.0.1", PortAllocator.next());
            s.balancerStats = new HostPort("127.0.0.1", PortAllocator.next());
            s.balancer = Balancer.start("balancer-haproxy", dir, s.balancerAddress, s.balancerStats, demo.adminUser(), demo.adminPassword(),
                    s.instances.stream().map(in -> new Balancer.Backend(in.name(), in.traffic(), in.health())).toList());
            awaitWrite(s.balancerAddress, demo.redisAuth(), "the load balancer in front of them");
            return s;
        } catch (RuntimeException | DrillStopped e) {
            s.close();
            throw e instanceof DrillStopped d ? d : DrillStopped.failure("could not start the seed's HAProxy servers: " + e.getMessage());
        }
    }

    /** The seed's haproxy.cfg (its tcp-check on AUTH, PING and role:master, checks every 3 s), plus the health URL. */
    static String config(HostPort traffic, HostPort health, List<HostPort> redis, String password) {
        StringBuilder c = new StringBuilder();
        c.append("# The seed's HAProxy (its checks, as seed-topology.sh), plus monitor-uri /health for the load balancer.\n")
                .append("global\n    maxconn 8000\n")
                .append("defaults REDIS\n    mode tcp\n    timeout connect 3s\n    timeout server 6s\n    timeout client 6s\n")
                .append("    option log-health-checks\n")
                .append("frontend front_redis\n    bind ").append(traffic).append(" name redis\n    mode tcp\n    default_backend redis_cluster\n")
                .append("backend redis_cluster\n")
                .append("    option tcp-check\n")
                .append("    tcp-check connect\n")
                .append("    tcp-check send AUTH\\ ").append(password).append("\\r\\n\n")
                .append("    tcp-check send PING\\r\\n\n")
                .append("    tcp-check expect string +PONG\n")
                .append("    tcp-check send info\\ replication\\r\\n\n")
                .append("    tcp-check expect string role:master\n")
                .append("    tcp-check send QUIT\\r\\n\n")
                .append("    tcp-check expect string +OK\n");
        for (int i = 0; i < redis.size(); i++) {
            c.append("    server redis").append(i + 1).append(' ').append(redis.get(i)).append(" check inter 3s\n");
        }
        c.append("frontend health\n    mode http\n    bind ").append(health).append('\n')
                .append("    timeout client 5s\n")
                .append("    monitor-uri /health\n")
                .append("    monitor fail if { nbsrv(redis_cluster) lt 1 }\n");
        return c.toString();
    }

    List<Instance> instances() {
        return List.copyOf(instances);
    }

    HostPort balancerAddress() {
        return balancerAddress;
    }

    HostPort balancerStats() {
        return balancerStats;
    }

    @Override
    public void close() {
        if (balancer != null) balancer.stop();
        instances.forEach(in -> in.process().stop());
    }

    /** Until {@link #WRITES_IN_A_ROW} SETs through {@code at}, each on a new connection, succeed in a row. */
    private static void awaitWrite(HostPort at, Credentials auth, String what) throws DrillStopped {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer";
        int inARow = 0;
        while (System.nanoTime() - deadline < 0) {
            try (RedisLink l = RedisLink.open(at, auth, Duration.ofSeconds(1), null)) {
                Object r = l.call("SET", "ferry-drill:haproxy-ready", "1", "PX", "10000"); // gone by itself
                if ("OK".equals(r) && ++inARow >= WRITES_IN_A_ROW) return;
                if ("OK".equals(r)) continue;
                last = String.valueOf(r);
            } catch (IOException | RedisException e) {
                last = e.getMessage();
            }
            inARow = 0;
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw DrillStopped.failure("no write went through " + what + " (" + at + ") within " + READY_TIMEOUT.toSeconds() + " s: " + last);
    }
}
