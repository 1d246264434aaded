package dev.ferry.cli;

import dev.ferry.config.ConfigException;
import dev.ferry.config.FerryConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ferry reload}: checks the configuration file, then has the Ferry running from it read it again:
 * through its admin listener when that takes actions (and prints what changed), else with SIGHUP to the
 * {@code ferry run} process started with that same file. Exit 0 reloaded, 1 no running Ferry found or
 * it failed, 2 the file does not validate (nothing was sent).
 */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Check the configuration, then have the running Ferry apply it without dropping clients.")
final class ReloadCommand implements Callable<Integer> {
    @Mixin ConfigOption config;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        FerryConfig cfg;
        try {
            cfg = config.load();
        } catch (ConfigException e) {
            err.println("ferry: " + e.getMessage());
            err.println("ferry: nothing reloaded; the running configuration stays");
            return Main.EXIT_CONFIG;
        }
        if (cfg.admin().isPresent() && cfg.admin().get().authRequired()) {
            try {
                HttpResponse<String> r = AdminClient.post(cfg.admin().get(), "/reload", Duration.ofSeconds(30));
                (r.statusCode() == 200 ? out : err).println(r.body().strip());
                return r.statusCode() == 200 ? 0 : r.statusCode() == 422 ? Main.EXIT_CONFIG : 1;
            } catch (ConnectException e) {
                out.println("no Ferry answers on admin " + cfg.admin().get().bind() + "; looking for its process");
            } catch (IOException | InterruptedException e) {
                err.println("ferry: admin " + cfg.admin().get().bind() + ": " + e.getMessage());
                return 1;
            }
        }
        Optional<ProcessHandle> running = runningFrom(config.file.toAbsolutePath().normalize());
        if (running.isEmpty()) {
            err.println("ferry: no 'ferry run' process started with " + config.file + " was found");
            return 1;
        }
        long pid = running.get().pid();
        try {
            Process kill = new ProcessBuilder("/bin/kill", "-HUP", Long.toString(pid)).redirectErrorStream(true).start();
            if (kill.waitFor() != 0) {
                err.println("ferry: kill -HUP " + pid + " failed: " + new String(kill.getInputStream().readAllBytes()).strip());
                return 1;
            }
        } catch (IOException | InterruptedException e) {
            err.println("ferry: cannot send SIGHUP to " + pid + ": " + e.getMessage());
            return 1;
        }
        out.println("configuration valid; sent SIGHUP to Ferry (pid " + pid + "); its log says what changed");
        return 0;
    }

    /** The {@code ferry run} process whose --config names this file (resolved from that process's working directory). */
    private static Optional<ProcessHandle> runningFrom(Path file) {
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses().filter(p -> p.pid() != self).filter(p -> {
            List<String> args = p.info().arguments().map(List::of).orElse(List.of());
            int run = args.indexOf("run");
            if (run < 0) return false;
            for (int i = run + 1; i + 1 < args.size(); i++) {
                if (!args.get(i).equals("--config") && !args.get(i).equals("-c")) continue;
                Path named = Path.of(args.get(i + 1));
                if (!named.isAbsolute()) {
                    try {
                        named = Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).resolve(named);
                    } catch (IOException | UnsupportedOperationException e) {
                        return false;
                    }
                }
                if (named.normalize().equals(file)) return true;
            }
            return false;
        }).findFirst();
    }
}
