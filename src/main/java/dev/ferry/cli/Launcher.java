package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.config.FerryConfig;
import dev.ferry.proxy.BindFailure;

/** Starts a Ferry with everything its configuration asks for (the admin listener too). */
public final class Launcher {
    private Launcher() {}

    public static Ferry start(FerryConfig cfg) throws BindFailure {
        return Ferry.start(cfg);
    }
}
