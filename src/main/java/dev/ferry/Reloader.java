package dev.ferry;

import dev.ferry.admin.AdminServer;
import dev.ferry.config.AdminConfig;
import dev.ferry.config.ConfigChanges;
import dev.ferry.config.ConfigException;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.FerryConfig;
import dev.ferry.proxy.BindFailure;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * A running Ferry started from a configuration file, which it reads again on SIGHUP, on
 * {@code ferry reload} and on {@code POST /reload}: validated whole first (a mistake is refused with the
 * same message as at start and the running configuration stays), then applied by {@link Ferry#reload}.
 * Every reload is logged once with what changed, and counted.
 */
public final class Reloader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reloader.class);

    /**
     * What a reload did: the log line, whether it was applied, and what is left to do once its answer is
     * sent (restarting the admin listener that may be carrying that answer).
     */
    public record Outcome(boolean applied, String summary, Runnable afterwards) {}

    private final Path file;
    private final ConfigLoader loader;
    private final Ferry ferry;
    private AdminServer admin;

    private Reloader(Path file, ConfigLoader loader, Ferry ferry) {
        this.file = file;
        this.loader = loader;
        this.ferry = ferry;
    }

    /** Starts Ferry and its admin listener from {@code cfg}, read from {@code file}. */
    public static Reloader start(Path file, ConfigLoader loader, FerryConfig cfg) throws BindFailure {
        Reloader r = new Reloader(file, loader, Ferry.start(cfg));
        try {
            r.startAdmin(cfg.admin());
        } catch (BindFailure | RuntimeException e) {
            r.ferry.close();
            throw e;
        }
        return r;
    }

    public Ferry ferry() {
        return ferry;
    }

    /** The admin listener now, if the configuration has one (a reload may have replaced it). */
    public synchronized Optional<AdminServer> admin() {
        return Optional.ofNullable(admin);
    }

    /** Reloads on every SIGHUP (systemd's ExecReload), on a thread of its own. */
    public void reloadOnSighup() {
        Signal.handle(new Signal("HUP"), s -> {
            Thread t = new Thread(() -> reload("SIGHUP"), "ferry-reload");
            t.setDaemon(true);
            t.start();
        });
    }

    /** Reads the file again and applies it; {@code why} names the trigger in the log. Never throws. */
    public Outcome reload(String why) {
        Outcome o = reloadAnswering(why);
        o.afterwards().run();
        return o;
    }

    /** As {@link #reload}, but a restart of the admin listener is left to {@link Outcome#afterwards()}. */
    public synchronized Outcome reloadAnswering(String why) {
        FerryConfig next;
        try {
            next = loader.load(file);
        } catch (ConfigException e) {
            return refused(why, e.getMessage());
        }
        ConfigChanges changes;
        try {
            changes = ferry.reload(next);
        } catch (BindFailure | ConfigException e) {
            return refused(why, e.getMessage());
        }
        Runnable afterwards = () -> {};
        if (changes.adminChanged()) {
            afterwards = () -> {
                synchronized (this) {
                    try {
                        restartAdmin(next.admin());
                    } catch (BindFailure | RuntimeException e) {
                        log.error("reload ({}): the admin listener could not start again: {}", why, e.getMessage());
                    }
                }
            };
        }
        ferry.reloads.increment();
        String summary = "reload (" + why + ") of " + file + ": " + changes.describe();
        log.info(summary);
        return new Outcome(true, summary, afterwards);
    }

    private Outcome refused(String why, String message) {
        ferry.reloadsRefused.increment();
        String summary = "reload (" + why + ") of " + file + " refused, the running configuration stays: " + message;
        log.error(summary);
        return new Outcome(false, summary, () -> {});
    }

    private void startAdmin(Optional<AdminConfig> config) throws BindFailure {
        if (config.isEmpty()) return;
        admin = AdminServer.start(config.get(), ferry);
        admin.onReload(this::reloadAnswering);
        log.info("stats page: {}", admin.statsUrl());
    }

    /** Another admin setting: the old listener goes, the new one starts (from the thread a POST /reload answered on, after answering). */
    private void restartAdmin(Optional<AdminConfig> config) throws BindFailure {
        if (admin != null) admin.close();
        admin = null;
        startAdmin(config);
    }

    @Override
    public synchronized void close() {
        if (admin != null) admin.close();
        ferry.close();
    }
}
