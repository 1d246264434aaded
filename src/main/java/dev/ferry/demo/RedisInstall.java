package dev.ferry.demo;

import dev.ferry.demo.group.RedisBinaries;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Makes sure redis-server and redis-sentinel are there, running scripts/install-deps.sh when it is at hand. */
public final class RedisInstall {
    private RedisInstall() {}

    /** Empty when redis-server and redis-sentinel are there, installing them when scripts/install-deps.sh is at hand. */
    public static Optional<String> ensure(PrintWriter err) throws InterruptedException {
        if (missing().isEmpty()) return Optional.empty();
        Optional<Path> script = installScript();
        if (script.isEmpty()) {
            return Optional.of(missing().get() + " (on Debian/Ubuntu: sudo apt-get install redis-server redis-sentinel redis-tools)");
        }
        err.println("ferry demo: " + missing().get() + "; running " + script.get() + " ...");
        err.flush();
        try {
            Process p = new ProcessBuilder("bash", script.get().toString()).inheritIO().start();
            int code = p.waitFor();
            if (code != 0) return Optional.of(script.get() + " failed with exit code " + code + "; install redis-server and redis-sentinel, then retry");
        } catch (IOException e) {
            return Optional.of("cannot run " + script.get() + ": " + e.getMessage());
        }
        return missing();
    }

    private static Optional<String> missing() {
        try {
            RedisBinaries.server();
            RedisBinaries.sentinel();
            return Optional.empty();
        } catch (IllegalStateException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** scripts/install-deps.sh of the checkout this jar was built in (the repository is the parent of target/). */
    static Optional<Path> installScript() {
        try {
            Path code = Path.of(RedisInstall.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path d = Files.isDirectory(code) ? code : code.getParent();
            for (int up = 0; d != null && up < 3; up++, d = d.getParent()) {
                Path s = d.resolve("scripts").resolve("install-deps.sh");
                if (Files.isRegularFile(s)) return Optional.of(s);
            }
        } catch (URISyntaxException | RuntimeException e) {
            // no code source (an unusual class loader): no script to offer
        }
        return Optional.empty();
    }
}
