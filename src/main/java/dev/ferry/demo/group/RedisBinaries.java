package dev.ferry.demo.group;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Locates the {@code redis-server} and {@code redis-sentinel} executables on this machine. */
public final class RedisBinaries {
    private static final String HINT = "run scripts/install-deps.sh (installs redis-server, redis-sentinel)";

    private RedisBinaries() {}

    public static Path server() {
        return find("redis-server");
    }

    public static Path sentinel() {
        return find("redis-sentinel");
    }

    /** Looks in PATH, then /usr/bin and /usr/local/bin; throws with the install hint when absent. */
    static Path find(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) dirs.addAll(List.of(path.split(File.pathSeparator)));
        dirs.add("/usr/bin");
        dirs.add("/usr/local/bin");
        for (String dir : dirs) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
        }
        throw new IllegalStateException(name + " not found: " + HINT);
    }
}
