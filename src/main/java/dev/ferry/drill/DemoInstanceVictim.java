package dev.ferry.drill;

import dev.ferry.demo.Demo;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A Ferry instance of the running demo: its pid from the file the demo keeps; the demo's supervisor starts it again. */
final class DemoInstanceVictim implements Victim {
    private final RunningDemo.Instance instance;
    private final long demoPid;
    private final HealthUrl health;
    private volatile long killed = -1;
    private volatile ProcessHandle signalled;

    DemoInstanceVictim(RunningDemo.Instance instance, long demoPid) {
        this.instance = instance;
        this.demoPid = demoPid;
        this.health = new HealthUrl(instance.admin(), "/health");
    }

    @Override
    public String name() {
        return instance.name();
    }

    @Override
    public String kill() throws DrillStopped {
        ProcessHandle p = target();
        if (!p.destroyForcibly()) throw DrillStopped.failure("could not kill " + instance.name() + " (pid " + killed + ")");
        try {
            p.onExit().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw DrillStopped.failure(instance.name() + " (pid " + killed + ") survived SIGKILL for 5 s");
        }
        return "killed " + instance.name() + " (pid " + killed + ", SIGKILL)";
    }

    @Override
    public String stop() throws DrillStopped {
        ProcessHandle p = target();
        if (!p.destroy()) throw DrillStopped.failure("could not signal " + instance.name() + " (pid " + killed + ")");
        return "stopped " + instance.name() + " (pid " + killed + ", SIGTERM): /health answers 503 for its admin.drain, then it closes";
    }

    @Override
    public boolean exited() {
        ProcessHandle p = signalled;
        return p != null && !p.isAlive();
    }

    private ProcessHandle target() throws DrillStopped {
        ProcessHandle p = process().orElseThrow(() -> DrillStopped.failure(instance.name() + ": no running process named in "
                + instance.pidFile() + "; is the demo running its instances (./ferry demo of this version)?"));
        killed = p.pid();
        signalled = p;
        return p;
    }

    @Override
    public long restartedPid() {
        return process().map(ProcessHandle::pid).filter(pid -> pid != killed).orElse(-1L);
    }

    @Override
    public boolean healthy() {
        return health.ok();
    }

    @Override
    public String restartedBy() {
        return "the demo, " + Demo.RESTART_DELAY.toSeconds() + " s after it died (as systemd's RestartSec in deploy/ferry.service)";
    }

    /** The live process the pid file names, when the demo started it (a recycled pid is not its child). */
    private Optional<ProcessHandle> process() {
        if (instance.pidFile() == null) return Optional.empty();
        long pid;
        try {
            pid = Long.parseLong(Files.readString(instance.pidFile()).strip());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.parent().map(ProcessHandle::pid).orElse(-1L) == demoPid);
    }
}
