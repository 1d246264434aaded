package dev.ferry.demo;

import dev.ferry.demo.group.Binaries;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Makes sure what the demo runs is there (redis-server, redis-sentinel, and haproxy as its load
 * balancer), running scripts/install-deps.sh when it is at hand.
 */
public final class DemoInstall {
    private DemoInstall() {}

    /** Empty when every program is there, installing them first when scripts/install-deps.sh is at hand; else what is missing. */
    public static Optional<String> ensure(PrintWriter err) throws InterruptedException {
        if (missing().isEmpty()) return Optional.empty();
        Optional<Path> script = installScript();
        if (script.isEmpty()) {
            return Optional.of(missing().get() + " (on Debian/Ubuntu: sudo apt-get install redis-server redis-sentinel redis-tools haproxy)");
        }
        err.println("ferry demo: " + missing().get() + "; running " + script.get() + " --with-haproxy ...");
        err.flush();
        try {
            Process p = new ProcessBuilder("bash", script.get().toString(), "--with-haproxy").inheritIO().start();
            int code = p.waitFor();
            if (code != 0) {
                return Optional.of(script.get() + " failed with exit code " + code + "; install redis-server, redis-sentinel and haproxy, then retry");
            }
        } catch (IOException e) {
            return Optional.of("cannot run " + script.get() + ": " + e.getMessage());
        }
        return missing();
    }

    private static Optional<String> missing() {
        try {
            Binaries.server();
            Binaries.sentinel();
            Binaries.haproxy();
            return Optional.empty();
        } catch (IllegalStateException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** scripts/install-deps.sh of the checkout this jar was built in (the repository is the parent of target/). */
    static Optional<Path> installScript() {
        try {
            Path code = Path.of(DemoInstall.class.getProtectionDomain().getCodeSource().getLocation().toURI());
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
