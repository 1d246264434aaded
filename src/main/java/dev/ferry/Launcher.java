package dev.ferry;

import dev.ferry.admin.AdminServer;
import dev.ferry.config.FerryConfig;
import dev.ferry.proxy.BindFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a Ferry with everything its configuration asks for (the admin listener too). */
public final class Launcher {
    private static final Logger log = LoggerFactory.getLogger(Launcher.class);

    private Launcher() {}

    /** Starts the frontends, then the admin listener if configured; a bind failure of either leaves nothing running. */
    public static Ferry start(FerryConfig cfg) throws BindFailure {
        Ferry ferry = Ferry.start(cfg);
        if (cfg.admin().isPresent()) {
            AdminServer admin;
            try {
                admin = AdminServer.start(cfg.admin().get(), ferry);
            } catch (BindFailure | RuntimeException e) {
                ferry.close();
                throw e;
            }
            ferry.closeWithMe(admin);
            log.info("stats page: {}", admin.statsUrl());
        }
        return ferry;
    }
}
