package dev.ferry.cli;

import dev.ferry.config.AdminConfig;
import dev.ferry.config.ConfigException;
import dev.ferry.config.FerryConfig;
import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
import dev.ferry.failover.FailoverFailed;
import dev.ferry.failover.FailoverRefused;
import dev.ferry.failover.FailoverReport;
import dev.ferry.failover.PlannedFailover;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ferry failover}: a planned switch of master that loses no acknowledged write. When the
 * configuration has an admin listener and that Ferry runs, the switch is done inside it (so client
 * traffic is held at the proxy too); otherwise this process does it alone.
 * Exit 0 done, 1 failed (rolled back), 2 bad configuration or usage, 3 refused (nothing changed).
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = "Planned failover: pause writes, let the target catch up, have Sentinel promote it; loses no acknowledged write.")
final class FailoverCommand implements Callable<Integer> {
    static final int EXIT_REFUSED = 3;

    @Mixin ConfigOption config;
    @Option(names = "--frontend", paramLabel = "NAME", description = "the frontend whose group fails over (default: the only one)")
    String frontend;
    @Option(names = "--to", paramLabel = "HOST:PORT", description = "the replica to promote (default: the most up-to-date in-sync replica)")
    String to;
    @Option(names = "--local", description = "do it from this process even when a running Ferry's admin port answers")
    boolean local;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        FerryConfig cfg;
        FrontendConfig fc;
        Optional<HostPort> target;
        try {
            cfg = config.load();
            fc = cfg.frontendOrOnly(frontend);
            target = to == null ? Optional.empty() : Optional.of(parse(to));
        } catch (ConfigException e) {
            err.println("ferry: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
        if (!local && cfg.admin().isPresent() && !cfg.admin().get().authRequired()) {
            out.println("admin " + cfg.admin().get().bind() + " takes no actions without admin.password: doing the failover from this "
                    + "process (set admin.password so that Ferry holds client traffic during it)");
        } else if (!local && cfg.admin().isPresent()) {
            try {
                return viaAdmin(cfg.admin().get(), fc, out, err);
            } catch (ConnectException e) {
                out.println("no Ferry answers on admin " + cfg.admin().get().bind() + ": doing the failover from this process");
            } catch (IOException | InterruptedException e) {
                err.println("ferry: admin " + cfg.admin().get().bind() + ": " + e.getMessage());
                return 1;
            }
        }
        try {
            FailoverReport report = new PlannedFailover(fc, Optional.empty(), Optional.empty()).run(target);
            out.print(report.render());
            out.flush();
            return report.converged() ? 0 : 1;
        } catch (FailoverRefused e) {
            err.println("ferry: failover refused, nothing changed: " + e.getMessage());
            return EXIT_REFUSED;
        } catch (FailoverFailed e) {
            err.println("ferry: failover failed: " + e.getMessage());
            return 1;
        }
    }

    private int viaAdmin(AdminConfig admin, FrontendConfig fc, PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        String query = "frontend=" + URLEncoder.encode(fc.name(), StandardCharsets.UTF_8)
                + (to == null ? "" : "&to=" + URLEncoder.encode(to, StandardCharsets.UTF_8));
        HttpResponse<String> r = AdminClient.post(admin, "/failover?" + query, Duration.ofSeconds(90));
        switch (r.statusCode()) {
            case 200:
                out.print(r.body());
                out.flush();
                return 0;
            case 409:
                err.println("ferry: failover refused, nothing changed: " + r.body().strip());
                return EXIT_REFUSED;
            default:
                err.println("ferry: failover via admin " + admin.bind() + " answered " + r.statusCode() + ": " + r.body().strip());
                return 1;
        }
    }

    private static HostPort parse(String s) throws ConfigException {
        try {
            return HostPort.parse(s);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--to: " + e.getMessage());
        }
    }
}
