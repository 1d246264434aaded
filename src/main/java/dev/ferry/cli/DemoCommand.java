package dev.ferry.cli;

import dev.ferry.config.ConfigException;
import dev.ferry.demo.Demo;
import dev.ferry.demo.DemoFolder;
import dev.ferry.demo.DemoPointer;
import dev.ferry.demo.DemoPorts;
import dev.ferry.demo.LogToFile;
import dev.ferry.demo.group.FerryProcess;
import dev.ferry.demo.DemoInstall;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry demo}: the seed document's whole system on 127.0.0.1 (three redis-server with a password,
 * three Sentinels with quorum 2, two Ferry instances in the place of its two HAProxy servers, each with
 * its stats page, and a load balancer in front of them) until Ctrl-C, then nothing is left behind. The logic is {@link Demo}, which tests start
 * in-process.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Run the seed's whole system on loopback: 3 redis-server, 3 Sentinels, 2 Ferry instances, a load balancer.",
        description = {
            "Run the seed's whole system on 127.0.0.1 until Ctrl-C: three redis-server (one master, two replicas, "
                    + "a random password), three Sentinels (quorum 2), two Ferry instances in front, each with its "
                    + "stats page, and a load balancer in front of those (HAProxy in TCP mode, checking each instance's "
                    + "/health), where applications connect. Ctrl-C stops everything and removes the demo folder.",
            "",
            "Ports from the base N (default " + DemoCommand.DEFAULT_BASE_PORT + ", so that the Sentinels stay below "
                    + "Linux's ephemeral range): redis N+1..N+3 (first master N+2), Sentinels N+20001..N+20003, "
                    + "Ferry clients N+79 and N+80, stats pages N+36 and N+37, the load balancer N (its stats page N+38).",
            ""})
final class DemoCommand implements Callable<Integer> {
    static final int DEFAULT_BASE_PORT = 11300;
    static final long DEFAULT_DOWN_AFTER_MILLIS = 5000;

    @Option(names = "--base-port", paramLabel = "N", description = "Move every port: see above (default ${DEFAULT-VALUE}).")
    int basePort = DEFAULT_BASE_PORT;

    @Option(names = "--down-after", paramLabel = "MS",
            description = "Sentinel down-after-milliseconds: how long a dead master goes unnoticed (default ${DEFAULT-VALUE}).")
    long downAfterMillis = DEFAULT_DOWN_AFTER_MILLIS;

    @Option(names = "--keep", description = "Keep the demo folder (configs, logs) after Ctrl-C.")
    boolean keep;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (basePort < DemoPorts.MIN_BASE || basePort > DemoPorts.MAX_BASE) {
            err.println("ferry demo: --base-port " + basePort + " is out of range " + DemoPorts.MIN_BASE + "-" + DemoPorts.MAX_BASE
                    + " (the Sentinels listen on N+20001..N+20003)");
            return Main.EXIT_CONFIG;
        }
        if (downAfterMillis < 100) {
            err.println("ferry demo: --down-after " + downAfterMillis + " is too short (at least 100 ms)");
            return Main.EXIT_CONFIG;
        }
        DemoPorts ports = new DemoPorts(basePort);
        Optional<String> taken = ports.firstTaken();
        if (taken.isPresent()) {
            err.println("ferry demo: " + taken.get() + "; move every port with --base-port N (now " + basePort + ")");
            return 1;
        }
        Optional<String> missing = DemoInstall.ensure(err);
        if (missing.isPresent()) {
            err.println("ferry demo: " + missing.get());
            return 1;
        }

        Path dir = Files.createTempDirectory("ferry-demo-");
        LogToFile logs = LogToFile.install(dir.resolve("ferry.log"));
        AtomicReference<Demo> running = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        // Registered before anything starts, so that Ctrl-C during the start leaves nothing behind either.
        Thread hook = new Thread(() -> {
            out.println();
            out.println("ferry demo: stopping the load balancer, the Ferry instances, Sentinels and redis-server ...");
            out.flush();
            Demo demo = running.get();
            if (demo != null) demo.closeProcesses();
            logs.close();
            DemoPointer.clear(dir);
            if (keep) {
                out.println("ferry demo: stopped; kept " + dir);
            } else {
                DemoFolder.deleteRecursively(dir);
                out.println("ferry demo: stopped; removed " + dir);
            }
            out.flush();
            stopped.countDown();
        }, "ferry-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        Demo demo;
        try {
            out.println("ferry demo: starting 3 redis-server, 3 Sentinels, 2 Ferry instances and a load balancer in " + dir + " ...");
            out.flush();
            demo = Demo.start(ports, dir, downAfterMillis, out, FerryProcess.commandOf(Main.class));
            running.set(demo);
        } catch (RuntimeException | IOException | ConfigException e) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                return 1;  // Ctrl-C during the start: the hook cleans up
            }
            logs.close();
            if (!keep) DemoFolder.deleteRecursively(dir);
            err.println("ferry demo: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }
        DemoPointer.write(dir);

        demo.printTable(out);
        out.flush();
        stopped.await();
        return 0;
    }
}
