package dev.ferry.demo.group;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Locates the programs the demo runs: {@code redis-server}, {@code redis-sentinel} and {@code haproxy}. */
public final class Binaries {
    private static final String REDIS_HINT = "run scripts/install-deps.sh (installs redis-server, redis-sentinel)";
    private static final String HAPROXY_HINT = "run scripts/install-deps.sh --with-haproxy";

    private Binaries() {}

    public static Path server() {
        return find("redis-server", REDIS_HINT);
    }

    public static Path sentinel() {
        return find("redis-sentinel", REDIS_HINT);
    }

    public static Path haproxy() {
        return find("haproxy", HAPROXY_HINT);
    }

    /** Looks in PATH, then /usr/sbin, /usr/bin and /usr/local/bin; throws with the install hint when absent. */
    static Path find(String name, String hint) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) dirs.addAll(List.of(path.split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/usr/bin", "/usr/local/bin"));
        for (String dir : dirs) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
        }
        throw new IllegalStateException(name + " not found: " + hint);
    }
}
