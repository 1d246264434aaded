package dev.ferry.testkit;

import dev.ferry.config.HostPort;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * Notes when one of the given replicas first answers ROLE master, to tell Sentinel's part of a switch
 * (down-after, election, promotion) from Ferry's (following it). Polls every 5 ms on its own thread.
 */
public final class PromotionWatch implements AutoCloseable {
    private final Thread thread;
    private volatile boolean watching = true;
    private volatile Instant promotedAt;
    private volatile HostPort promoted;

    /** @param role a node's ROLE word ("master", "slave"), or null when it does not answer */
    public static PromotionWatch start(List<HostPort> replicas, Function<HostPort, String> role) {
        return new PromotionWatch(List.copyOf(replicas), role);
    }

    private PromotionWatch(List<HostPort> replicas, Function<HostPort, String> role) {
        thread = new Thread(() -> {
            while (watching) {
                for (HostPort r : replicas) {
                    if ("master".equals(role.apply(r))) {
                        promotedAt = Instant.now();
                        promoted = r;
                        return;
                    }
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "promotion-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** When a replica first said master; null if none has yet. */
    public Instant promotedAt() {
        return promotedAt;
    }

    public HostPort promoted() {
        return promoted;
    }

    @Override
    public void close() {
        watching = false;
    }
}
