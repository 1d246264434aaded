package dev.ferry.cli;

import dev.ferry.Reloader;
import dev.ferry.config.AdminConfig;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.ConfigException;
import dev.ferry.config.FerryConfig;
import dev.ferry.proxy.BindFailure;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ferry run}: serves every frontend in the foreground until SIGINT or SIGTERM; SIGHUP reloads the
 * configuration. With {@code admin.drain}, a stop first answers {@code /health} 503 for that long while
 * still serving, so that a load balancer moves new connections elsewhere before the listeners close.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the proxy in the foreground until SIGINT/SIGTERM.")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);
    @Mixin ConfigOption config;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        FerryConfig cfg;
        try {
            cfg = config.load();
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("ferry: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
        Reloader running;
        try {
            running = Reloader.start(config.file, new ConfigLoader(), cfg);
        } catch (BindFailure e) {
            spec.commandLine().getErr().println("ferry: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Duration drain = running.ferry().config().admin().map(AdminConfig::drain).orElse(Duration.ZERO);
            if (!drain.isZero() && running.admin().isPresent()) {
                log.info("stopping: /health answers 503 for {} ms (admin.drain) so that load balancers send new connections elsewhere;"
                        + " sessions carry on", drain.toMillis());
                running.admin().get().drain();
                sleep(drain);
            }
            log.info("stopping: closing listeners and client sessions");
            running.close();
            stopped.countDown();
        }, "ferry-shutdown"));
        running.reloadOnSighup();
        log.info("ferry {} running; Ctrl-C or SIGTERM stops it, SIGHUP (or ferry reload) reloads {}", Version.get(), config.file);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
