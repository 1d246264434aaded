package dev.ferry.demo;

import dev.ferry.config.HostPort;
import dev.ferry.demo.group.HaproxyProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The load balancer in front of the proxies, as the seed's cloud network load balancer: HAProxy in TCP
 * mode, new connections spread round robin, each backend health-checked with {@code GET /health} on its
 * own HTTP port every second (down after 2 failures, up after 2 successes), no retry on another backend
 * and idle connections closed after 350 s, as an AWS or OCI network load balancer behaves.
 */
public final class Balancer {
    /** How often each backend's health URL is asked; an OCI network load balancer allows 1 s. */
    public static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
    /** Failed checks before a backend gets no new connections. */
    public static final int FALL = 2;
    public static final int RISE = 2;
    /** A check that takes longer has failed. */
    public static final Duration CHECK_TIMEOUT = Duration.ofMillis(500);
    /** A cloud network load balancer's idle timeout (AWS: 350 s): longer-idle client connections are closed. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(350);

    /** One proxy behind the balancer: where client traffic goes, and where its health URL answers. */
    public record Backend(String name, HostPort traffic, HostPort health) {}

    private Balancer() {}

    /** Starts HAProxy with {@link #config}; returns once it listens on {@code listen}. */
    public static HaproxyProcess start(String name, Path dir, HostPort listen, HostPort stats, String statsUser, String statsPassword,
                                       List<Backend> backends) {
        return HaproxyProcess.start(name, dir, config(listen, stats, statsUser, statsPassword, backends), listen);
    }

    /** The HAProxy configuration: a TCP frontend on {@code listen}, the backends, and a stats page on {@code stats}. */
    static String config(HostPort listen, HostPort stats, String statsUser, String statsPassword, List<Backend> backends) {
        StringBuilder c = new StringBuilder();
        c.append("# The demo's load balancer: TCP in front of the proxies, each checked with GET /health (200 = in service).\n")
                .append("global\n")
                .append("    maxconn 8000\n")
                .append("defaults\n")
                .append("    mode tcp\n")
                .append("    timeout connect 1s\n")
                .append("    timeout client ").append(IDLE_TIMEOUT.toSeconds()).append("s\n")
                .append("    timeout server ").append(IDLE_TIMEOUT.toSeconds()).append("s\n")
                .append("    timeout check ").append(CHECK_TIMEOUT.toMillis()).append("ms\n")
                .append("    # A network load balancer does not try another backend when one refuses a connection.\n")
                .append("    retries 0\n")
                .append("    option log-health-checks\n")
                .append("frontend balancer\n")
                .append("    bind ").append(listen).append('\n')
                .append("    default_backend proxies\n")
                .append("backend proxies\n")
                .append("    balance roundrobin\n")
                .append("    option httpchk GET /health\n")
                .append("    http-check expect status 200\n")
                .append("    default-server check inter ").append(CHECK_INTERVAL.toMillis()).append("ms fall ").append(FALL)
                .append(" rise ").append(RISE).append('\n');
        for (Backend b : backends) {
            c.append("    server ").append(b.name()).append(' ').append(b.traffic()).append(" check addr ").append(b.health().host())
                    .append(" port ").append(b.health().port()).append('\n');
        }
        c.append("listen stats\n")
                .append("    bind ").append(stats).append('\n')
                .append("    mode http\n")
                .append("    timeout client 30s\n")
                .append("    stats enable\n")
                .append("    stats uri /stats\n")
                .append("    stats refresh 5s\n")
                .append("    stats auth ").append(statsUser).append(':').append(statsPassword).append('\n');
        return c.toString();
    }
}
