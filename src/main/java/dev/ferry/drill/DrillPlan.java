package dev.ferry.drill;

import dev.ferry.config.ConfigException;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.Credentials;
import dev.ferry.config.FerryConfig;
import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What the drill needs: the instances, and the group behind them as the first configuration names it. */
public record DrillPlan(List<DrillTarget> targets, String masterName, List<HostPort> sentinels, Credentials sentinelAuth,
                        Credentials redisAuth, FrontendConfig first) {

    /**
     * Reads every configuration; each names one Ferry instance (its frontend's bind address) in front of the
     * same group, unless {@code through} names the addresses to write through.
     */
    public static DrillPlan read(List<Path> files, String frontend, List<HostPort> through) throws DrillStopped {
        ConfigLoader loader = new ConfigLoader();
        List<DrillTarget> targets = new ArrayList<>();
        Set<String> names = new HashSet<>();
        FrontendConfig first = null;
        for (Path file : files) {
            FerryConfig cfg;
            try {
                cfg = loader.load(file);
            } catch (ConfigException e) {
                throw DrillStopped.usage(e.getMessage());
            }
            FrontendConfig fc;
            try {
                fc = cfg.frontendOrOnly(frontend);
            } catch (ConfigException e) {
                throw DrillStopped.usage(e.getMessage());
            }
            if (fc.staticMode()) {
                throw DrillStopped.usage(file + ": frontend '" + fc.name() + "' has no sentinels:; the drill asks Sentinel for the failover");
            }
            if (first == null) {
                first = fc;
            } else if (!first.masterName().equals(fc.masterName())) {
                throw DrillStopped.usage(file + ": frontend '" + fc.name() + "' follows master name '" + fc.masterName()
                        + "', the first configuration '" + first.masterName() + "'; a drill rehearses one group");
            }
            if (fc.tls().towardClients() || fc.tls().nodes() != null || fc.tls().sentinels() != null) {
                throw DrillStopped.usage(file + ": frontend '" + fc.name() + "' uses TLS; the drill speaks plaintext only so far");
            }
            if (fc.bind().port() == 0 && through.isEmpty()) {
                throw DrillStopped.usage(file + ": frontend '" + fc.name() + "' binds port 0, so the drill cannot know where it listens");
            }
            String name = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
            if (!names.add(name)) name = name + "#" + (targets.size() + 1);
            targets.add(new DrillTarget(name, connectable(fc.bind())));
        }
        if (!through.isEmpty()) targets = through.stream().map(a -> new DrillTarget(a.toString(), a)).toList();
        return new DrillPlan(targets, first.masterName(), first.sentinels(), first.sentinelAuth(), first.redisAuth(), first);
    }

    /** A wildcard bind is reached on loopback. */
    private static HostPort connectable(HostPort bind) {
        if (bind.host().equals("0.0.0.0")) return new HostPort("127.0.0.1", bind.port());
        if (bind.host().equals("::") || bind.host().equals("[::]")) return new HostPort("::1", bind.port());
        return bind;
    }
}
