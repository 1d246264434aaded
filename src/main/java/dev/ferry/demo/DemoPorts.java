package dev.ferry.demo;

import dev.ferry.demo.group.RedisGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every port of the demo, from one base; the Redis and Sentinel ones follow {@link RedisGroup.Builder#basePort}. */
public record DemoPorts(int base) {
    public static final int MIN_BASE = 1024;
    public static final int MAX_BASE = 65535 - 20003;
    public static final int INSTANCES = 2;

    public List<Integer> redis() {
        return List.of(base + 1, base + 2, base + 3);
    }

    public List<Integer> sentinels() {
        return List.of(base + 20001, base + 20002, base + 20003);
    }

    /** Where applications connect: the load balancer in front of the instances (as the seed's HAProxy frontend, at the base). */
    public int balancer() {
        return base;
    }

    /** The load balancer's own stats page (HAProxy's): each instance's health-check state. */
    public int balancerStats() {
        return base + 38;
    }

    /** Where clients connect to Ferry instance {@code i} (0-based). */
    public int client(int i) {
        return base + 79 + i;
    }

    /** Instance {@code i}'s stats page, /health and /metrics. */
    public int admin(int i) {
        return base + 36 + i;
    }

    public Map<Integer, String> named() {
        Map<Integer, String> m = new LinkedHashMap<>();
        m.put(balancer(), "load balancer");
        m.put(balancerStats(), "load balancer stats page");
        for (int i = 0; i < 3; i++) m.put(redis().get(i), "redis-" + (i + 1));
        for (int i = 0; i < 3; i++) m.put(sentinels().get(i), "sentinel-" + (i + 1));
        for (int i = 0; i < INSTANCES; i++) {
            m.put(client(i), "ferry-" + (i + 1) + " clients");
            m.put(admin(i), "ferry-" + (i + 1) + " stats page");
        }
        return m;
    }

    /** "port P (what) is in use on 127.0.0.1" for the first port that cannot be bound, or empty. */
    public Optional<String> firstTaken() {
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
