package dev.ferry.drill;

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

/** Finds the running {@code ferry demo} from another process, for {@code ferry drill --demo}. */
public final class RunningDemo {
    private RunningDemo() {}

    /** The running demo's config files: through the pointer file it writes, else the newest demo.json whose process lives. */
    public static List<Path> configs() throws DrillStopped {
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
            if (!(demo.get("ferry") instanceof List<?> ferries)) continue;
            List<Path> files = new ArrayList<>();
            for (Object f : ferries) if (f instanceof Map<?, ?> m && m.get("config") != null) files.add(Path.of(String.valueOf(m.get("config"))));
            if (!files.isEmpty()) return files;
        }
        throw DrillStopped.failure("no running demo found (looked at " + pointer + " and " + pointer.getParent().resolve("ferry-demo-*")
                + "/demo.json); start one with ./ferry demo");
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
