package dev.ferry.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The whole validated configuration of one Ferry process. Immutable; built only by {@link ConfigLoader}. */
public record FerryConfig(Path source, List<FrontendConfig> frontends, Optional<AdminConfig> admin) {
    public FerryConfig {
        frontends = List.copyOf(frontends);
    }

    public Optional<FrontendConfig> frontend(String name) {
        return frontends.stream().filter(f -> f.name().equals(name)).findFirst();
    }
}
