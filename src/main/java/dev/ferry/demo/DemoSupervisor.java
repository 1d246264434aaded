package dev.ferry.demo;

import dev.ferry.demo.group.FerryProcess;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.demo.group.RedisProcess;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Starts a dead process again, so that a crash drill can be repeated: a Ferry instance 2 s after it
 * died, as systemd would (deploy/ferry.service: RestartSec=2); a Redis process after a while, as an
 * operator would, and never a master the Sentinels still name.
 */
final class DemoSupervisor {
    private static final long TICK_MILLIS = 200;

    private final long downAfterMillis;
    private final DemoEvents events;
    private final Map<RedisProcess, Long> deadSince = new HashMap<>();
    private final Map<FerryProcess, Long> ferryDeadSince = new HashMap<>();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ferry-demo-supervisor");
        t.setDaemon(true);
        return t;
    });
    private final Object lock = new Object();
    private volatile boolean stopped;
    private RedisGroup group;
    private List<FerryProcess> ferries = List.of();

    DemoSupervisor(long downAfterMillis, DemoEvents events) {
        this.downAfterMillis = downAfterMillis;
        this.events = events;
    }

    void start(RedisGroup group, List<FerryProcess> ferries) {
        this.group = group;
        this.ferries = List.copyOf(ferries);
        executor.scheduleWithFixedDelay(this::supervise, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** False when it was stopped already; after it, no process is started again and no event is told. */
    boolean stop() {
        synchronized (lock) {
            if (stopped) return false;
            stopped = true;
            events.silence();
        }
        executor.shutdownNow();
        return true;
    }

    private void supervise() {
        long now = System.nanoTime();
        superviseFerries(now);
        long delay = Math.max(10_000, 2 * downAfterMillis + 5_000);
        for (RedisProcess p : Stream.concat(group.nodes().stream(), group.sentinels().stream()).toList()) {
            if (p.alive()) {
                deadSince.remove(p);
                continue;
            }
            Long since = deadSince.get(p);
            if (since == null) {
                deadSince.put(p, now);
                events.say(p + " exited; the demo starts it again in " + delay / 1000 + " s, as an operator would");
                continue;
            }
            if (now - since < delay * 1_000_000 || stillNamedMaster(p)) continue;
            synchronized (lock) {
                if (stopped) return;
                try {
                    p.restart();
                    deadSince.remove(p);
                    events.say(p + " started again (pid " + p.pid() + ")"
                            + (p.kind() == RedisProcess.Kind.SERVER ? ", empty: Sentinel makes it a replica of the current master" : ""));
                } catch (RuntimeException e) {
                    deadSince.put(p, now);
                    events.say("could not start " + p + " again: " + e.getMessage().lines().findFirst().orElse(""));
                }
            }
        }
    }

    private void superviseFerries(long now) {
        for (FerryProcess f : ferries) {
            if (f.alive()) {
                ferryDeadSince.remove(f);
                continue;
            }
            Long since = ferryDeadSince.get(f);
            if (since == null) {
                ferryDeadSince.put(f, now);
                int code = f.exitCode();
                events.say(f + " exited with code " + code + (code == 137 ? " (SIGKILL)" : code == 143 ? " (SIGTERM)" : "")
                        + "; the demo starts it again in " + Demo.RESTART_DELAY.toSeconds() + " s, as systemd would");
                continue;
            }
            if (now - since < Demo.RESTART_DELAY.toNanos()) continue;
            synchronized (lock) {
                if (stopped) return;
                try {
                    f.restart();
                    ferryDeadSince.remove(f);
                    events.say(f + " started again (pid " + f.pid() + ")");
                } catch (RuntimeException e) {
                    ferryDeadSince.put(f, now);
                    events.say("could not start " + f + " again: " + e.getMessage());
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
}
