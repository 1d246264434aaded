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

    /** The frontend named {@code name} (a command's --frontend), or the only one when no name is given. */
    public FrontendConfig frontendOrOnly(String name) throws ConfigException {
        String known = frontends.stream().map(FrontendConfig::name).collect(java.util.stream.Collectors.joining(", "));
        if (name != null) {
            return frontend(name).orElseThrow(() -> new ConfigException(
                    "--frontend: no frontend named '" + name + "' in " + source + " (known: " + known + ")"));
        }
        if (frontends.size() != 1) throw new ConfigException("--frontend: " + source + " has frontends " + known + "; name one");
        return frontends.get(0);
    }
}
