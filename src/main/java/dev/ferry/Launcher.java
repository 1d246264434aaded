package dev.ferry;

import dev.ferry.admin.AdminServer;
import dev.ferry.config.FerryConfig;
import dev.ferry.proxy.BindFailure;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a Ferry with everything its configuration asks for (the admin listener too). */
public final class Launcher {
    private static final Logger log = LoggerFactory.getLogger(Launcher.class);

    /** A started Ferry and its admin listener when the configuration has one; closing the Ferry closes both. */
    public record Started(Ferry ferry, Optional<AdminServer> admin) {}

    private Launcher() {}

    /** Starts the frontends, then the admin listener if configured; a bind failure of either leaves nothing running. */
    public static Ferry start(FerryConfig cfg) throws BindFailure {
        return launch(cfg).ferry();
    }

    /** As {@link #start}, keeping hold of the admin listener. */
    public static Started launch(FerryConfig cfg) throws BindFailure {
        Ferry ferry = Ferry.start(cfg);
        if (cfg.admin().isEmpty()) return new Started(ferry, Optional.empty());
        AdminServer admin;
        try {
            admin = AdminServer.start(cfg.admin().get(), ferry);
        } catch (BindFailure | RuntimeException e) {
            ferry.close();
            throw e;
        }
        ferry.closeWithMe(admin);
        log.info("stats page: {}", admin.statsUrl());
        return new Started(ferry, Optional.of(admin));
    }
}
