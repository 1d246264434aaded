package dev.ferry.drill;

import dev.ferry.config.Credentials;
import dev.ferry.config.HostPort;
import dev.ferry.demo.Demo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The running {@code ferry demo}, found from another process through the {@code demo.json} it writes:
 * its instances, its load balancer and the group behind them, for {@code ferry drill --demo}.
 */
public record RunningDemo(long pid, Path dir, List<Instance> instances, HostPort balancer, HostPort balancerStats, String adminUser,
                          String adminPassword, Credentials redisAuth, List<HostPort> redis) {

    /** One Ferry instance of the demo: its configuration, where it listens, and the file naming its current pid. */
    public record Instance(String name, HostPort client, HostPort admin, Path config, Path pidFile) {}

    /** The running demo: through the pointer file it writes, else the newest demo.json whose process lives. */
    public static RunningDemo find() throws DrillStopped {
        List<Path> candidates = new ArrayList<>();
        Path pointer = Demo.pointerFile();
        try {
            if (Files.isRegularFile(pointer)) candidates.add(Path.of(Files.readString(pointer).strip(), "demo.json"));
        } catch (IOException | RuntimeException e) {
            // unreadable pointer: look at the folders themselves
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(pointer.getParent(), "ferry-demo-*")) {
            for (Path d : dirs) if (Files.isRegularFile(d.resolve("demo.json"))) found.add(d.resolve("demo.json"));
        } catch (IOException e) {
            // no temp directory listing: only the pointer can help
        }
        found.sort((a, b) -> Long.compare(modified(b), modified(a)));
        candidates.addAll(found);
        for (Path json : candidates) {
            Map<?, ?> demo = readJson(json);
            if (demo == null || !(demo.get("pid") instanceof Number pid) || ProcessHandle.of(pid.longValue()).isEmpty()) continue;
            RunningDemo d = parse(json.getParent(), demo);
            if (d != null) return d;
        }
        throw DrillStopped.failure("no running demo found (looked at " + pointer + " and " + pointer.getParent().resolve("ferry-demo-*")
                + "/demo.json); start one with ./ferry demo");
    }

    /** The demo whose folder is {@code dir}, while its process runs. */
    public static RunningDemo at(Path dir) throws DrillStopped {
        Path json = dir.resolve("demo.json");
        Map<?, ?> demo = readJson(json);
        if (demo == null) throw DrillStopped.usage("--demo-folder: no readable " + json);
        if (!(demo.get("pid") instanceof Number pid) || ProcessHandle.of(pid.longValue()).isEmpty()) {
            throw DrillStopped.failure("the demo of " + dir + " is not running any more");
        }
        RunningDemo d = parse(dir, demo);
        if (d == null) throw DrillStopped.failure(json + " does not describe a demo this version can drill; restart the demo");
        return d;
    }

    /** The instances' configuration files, for the failover drill. */
    public List<Path> configs() {
        return instances.stream().map(Instance::config).toList();
    }

    public Instance instance(String name) throws DrillStopped {
        return instances.stream().filter(in -> in.name().equals(name)).findFirst().orElseThrow(() -> DrillStopped.usage(
                "the demo has no instance '" + name + "' (it has " + instances.stream().map(Instance::name).toList() + ")"));
    }

    private static RunningDemo parse(Path dir, Map<?, ?> demo) {
        if (!(demo.get("ferry") instanceof List<?> ferries)) return null;
        List<Instance> instances = new ArrayList<>();
        try {
            for (Object f : ferries) {
                if (!(f instanceof Map<?, ?> m) || m.get("config") == null) continue;
                instances.add(new Instance(String.valueOf(m.get("name")), HostPort.parse(String.valueOf(m.get("client"))),
                        HostPort.parse(String.valueOf(m.get("admin"))), Path.of(String.valueOf(m.get("config"))),
                        m.get("pidFile") == null ? null : Path.of(String.valueOf(m.get("pidFile")))));
            }
            List<HostPort> redis = new ArrayList<>();
            if (demo.get("redis") instanceof List<?> nodes) for (Object n : nodes) redis.add(HostPort.parse(String.valueOf(n)));
            return instances.isEmpty() ? null : new RunningDemo(((Number) demo.get("pid")).longValue(), dir, List.copyOf(instances), address(demo.get("balancer")),
                    address(demo.get("balancerStats")), String.valueOf(demo.get("adminUser")), String.valueOf(demo.get("adminPassword")),
                    new Credentials(null, String.valueOf(demo.get("password"))), List.copyOf(redis));
        } catch (IllegalArgumentException e) {
            return null; // a demo.json of another version: not this drill's to read
        }
    }

    private static HostPort address(Object text) {
        return text == null ? null : HostPort.parse(String.valueOf(text));
    }

    private static Map<?, ?> readJson(Path json) {
        try {
            Object o = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(json, StandardCharsets.UTF_8));
            return o instanceof Map<?, ?> m ? m : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
