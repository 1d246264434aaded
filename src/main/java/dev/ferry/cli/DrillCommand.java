package dev.ferry.cli;

import dev.ferry.config.HostPort;
import dev.ferry.drill.Drill;
import dev.ferry.drill.DrillPlan;
import dev.ferry.drill.DrillStopped;
import dev.ferry.drill.ProxyLoss;
import dev.ferry.drill.RunningDemo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
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
            "With --kill-proxy (and --demo): losing a proxy instead of a master. Writes through the demo's load balancer "
                    + "(a new connection per write, and two kept connections), kill -9 of ferry-1, and the wait until the balancer "
                    + "has taken it out, the demo has started it again and the balancer takes it back; then the failed writes, the "
                    + "longest failure and the acknowledged writes lost. --haproxy does the same with the seed's two HAProxy servers "
                    + "in Ferry's place behind a balancer configured alike, for the side-by-side figure. --stop-proxy sends SIGTERM "
                    + "instead: the instance answers /health 503 for its admin.drain while it still serves, then closes.",
            "",
            "Exit 0 when every instance recovered and no acknowledged write was lost; 1 when not (or the failover was "
                    + "refused); 2 for a usage or configuration mistake.",
            ""})
final class DrillCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "A Ferry instance's configuration; repeat it for every instance. The drill writes through each one's frontend bind address.")
    List<Path> configs = new ArrayList<>();

    @Option(names = "--demo", description = "Drill the running 'ferry demo' (its configs, through the demo.json it names).")
    boolean demo;

    @Option(names = "--demo-folder", paramLabel = "DIR",
            description = "With --demo: the demo's folder, when several demos run (default: the one started last).")
    Path demoFolder;

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

    @Option(names = "--kill-proxy", description = "Kill -9 a Ferry instance behind the demo's load balancer instead of failing the master over (with --demo).")
    boolean killProxy;

    @Option(names = "--stop-proxy", description = "As --kill-proxy, with SIGTERM instead of kill -9: the instance drains (/health 503 for its admin.drain) before it closes.")
    boolean stopProxy;

    @Option(names = "--haproxy", description = "With --kill-proxy: the seed's two HAProxy servers in Ferry's place, behind the same kind of load balancer.")
    boolean haproxy;

    @Option(names = "--timeout", paramLabel = "SECONDS",
            description = "How long to wait for a new master that takes writes through every instance (default ${DEFAULT-VALUE}).")
    int timeoutSeconds = 60;

    @Option(names = "--wait-for-sentinels", paramLabel = "SECONDS",
            description = "Before drilling, wait this long (saying why every 5 s) for the Sentinels to agree on a master that answers "
                    + "ROLE master; right after a FAILOVER TO they need ~30-40 s. 0 refuses at once (default ${DEFAULT-VALUE}).")
    int agreeWaitSeconds = 60;

    @Option(names = "--interval", paramLabel = "MS", description = "Pause between two writes of one writer (default ${DEFAULT-VALUE}).")
    int intervalMillis = 10;

    @Option(names = "--keep-keys", description = "Leave the drill's keys in Redis (they are removed after the count otherwise).")
    boolean keepKeys;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (planned && crash) return usage(err, "--planned and --crash exclude each other");
            if (killProxy && stopProxy) return usage(err, "--kill-proxy and --stop-proxy exclude each other");
            if (stopProxy && haproxy) return usage(err, "--stop-proxy shows Ferry's drain; the HAProxy comparison is --kill-proxy --haproxy");
            boolean proxyLoss = killProxy || stopProxy;
            if (proxyLoss && (planned || crash)) return usage(err, "--kill-proxy and --stop-proxy stop a proxy, not the master: leave out --planned and --crash");
            if (proxyLoss && !demo) return usage(err, (stopProxy ? "--stop-proxy" : "--kill-proxy") + " needs --demo: the demo's load balancer and the instances it runs");
            if (haproxy && !killProxy) return usage(err, "--haproxy goes with --kill-proxy");
            if (demoFolder != null && !demo) return usage(err, "--demo-folder goes with --demo");
            if (demo == !configs.isEmpty()) return usage(err, "name the instances with --config FILE (once per instance), or use --demo");
            if (timeoutSeconds < 1) return usage(err, "--timeout must be at least 1 second");
            if (intervalMillis < 1) return usage(err, "--interval must be at least 1 ms");
            if (agreeWaitSeconds < 0) return usage(err, "--wait-for-sentinels must be 0 or more seconds");
            List<HostPort> addresses = new ArrayList<>();
            for (String t : through) {
                try {
                    addresses.add(HostPort.parse(t));
                } catch (IllegalArgumentException e) {
                    return usage(err, "--through: " + e.getMessage());
                }
            }
            if (proxyLoss) {
                return ProxyLoss.run(runningDemo(), haproxy, stopProxy, Duration.ofSeconds(timeoutSeconds), Duration.ofMillis(intervalMillis), keepKeys, out);
            }
            List<Path> files = demo ? runningDemo().configs() : configs;
            DrillPlan plan = DrillPlan.read(files, frontend, addresses);
            Drill.Failover failover = crash ? Drill.Failover.CRASH : planned ? Drill.Failover.PLANNED : Drill.Failover.SENTINEL;
            return new Drill(plan, failover, Duration.ofSeconds(timeoutSeconds), Duration.ofMillis(intervalMillis),
                    Duration.ofSeconds(agreeWaitSeconds), keepKeys, out).run();
        } catch (DrillStopped e) {
            out.flush();
            err.println("ferry drill: " + e.getMessage());
            return e.usageMistake() ? Main.EXIT_CONFIG : 1;
        }
    }

    private RunningDemo runningDemo() throws DrillStopped {
        return demoFolder != null ? RunningDemo.at(demoFolder) : RunningDemo.find();
    }

    private static int usage(PrintWriter err, String message) {
        err.println("ferry drill: " + message);
        return Main.EXIT_CONFIG;
    }
}
