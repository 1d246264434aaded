package dev.ferry.drill;

import dev.ferry.demo.Demo;
import dev.ferry.demo.group.HaproxyProcess;

/** One of the seed's HAProxy servers the drill started: it kills it, and starts it again itself after the same delay as the demo's. */
final class HaproxyVictim implements Victim {
    private final SeedHaproxies.Instance instance;
    private final HealthUrl health;
    private volatile long killed = -1;

    HaproxyVictim(SeedHaproxies.Instance instance) {
        this.instance = instance;
        this.health = new HealthUrl(instance.health(), "/health");
    }

    @Override
    public String name() {
        return instance.name();
    }

    @Override
    public String kill() {
        HaproxyProcess p = instance.process();
        killed = p.pid();
        p.kill();
        Thread restart = new Thread(() -> {
            try {
                Thread.sleep(Demo.RESTART_DELAY.toMillis());
                p.restart();
            } catch (InterruptedException | RuntimeException e) {
                // not back: the drill reports that it never recovered
            }
        }, "drill-restart-" + instance.name());
        restart.setDaemon(true);
        restart.start();
        return "killed " + instance.name() + " (pid " + killed + ", SIGKILL)";
    }

    @Override
    public String stop() throws DrillStopped {
        throw DrillStopped.usage("stopping gracefully is Ferry's drain; the HAProxy comparison kills (-9)");
    }

    @Override
    public boolean exited() {
        return killed > 0; // kill() returns once it has exited
    }

    @Override
    public long restartedPid() {
        HaproxyProcess p = instance.process();
        return p.alive() && p.pid() != killed ? p.pid() : -1;
    }

    @Override
    public boolean healthy() {
        return health.ok();
    }

    @Override
    public String restartedBy() {
        return "this drill, " + Demo.RESTART_DELAY.toSeconds() + " s after it died (as the demo does for Ferry)";
    }
}
