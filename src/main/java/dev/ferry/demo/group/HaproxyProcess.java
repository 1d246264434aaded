package dev.ferry.demo.group;

import dev.ferry.config.HostPort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code haproxy} child process, run in the foreground ({@code -db}) from a config file so that this
 * JVM owns it and can kill and restart it: the demo's load balancer, or one of the seed's HAProxy servers
 * in a comparison. Its output (config errors, health-check logs) goes to {@code <name>.log}.
 */
public final class HaproxyProcess {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_GRACE = Duration.ofSeconds(3);
    private static final int LOG_TAIL_LINES = 20;

    private final String name;
    private final Path configFile;
    private final Path logFile;
    private final HostPort listens;
    private volatile Process process;

    private HaproxyProcess(String name, Path configFile, Path logFile, HostPort listens) {
        this.name = name;
        this.configFile = configFile;
        this.logFile = logFile;
        this.listens = listens;
    }

    /** Writes {@code <dir>/<name>.cfg}, starts haproxy with it and waits until {@code listens} accepts connections. */
    public static HaproxyProcess start(String name, Path dir, String config, HostPort listens) {
        Path cfg = dir.toAbsolutePath().resolve(name + ".cfg");
        try {
            Files.createDirectories(cfg.getParent());
            Files.writeString(cfg, config, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + cfg, e);
        }
        HaproxyProcess p = new HaproxyProcess(name, cfg, cfg.resolveSibling(name + ".log"), listens);
        p.launch();
        return p;
    }

    public String name() {
        return name;
    }

    public Path configFile() {
        return configFile;
    }

    public Path logFile() {
        return logFile;
    }

    public long pid() {
        Process p = process;
        if (p == null) throw new IllegalStateException(this + " was never started");
        return p.pid();
    }

    public boolean alive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** SIGKILL, then waits for the exit: a crash. */
    public void kill() {
        Process p = process;
        if (p == null || !p.isAlive()) return;
        p.destroyForcibly();
        if (!awaitExit(p, Duration.ofSeconds(10))) throw new IllegalStateException(this + " survived SIGKILL");
    }

    /** SIGTERM, and SIGKILL if it has not exited after 3 s. */
    public void stop() {
        Process p = process;
        if (p == null || !p.isAlive()) return;
        p.destroy();
        if (!awaitExit(p, STOP_GRACE)) kill();
    }

    /** Starts it again with the same config file; kills it first if alive. */
    public void restart() {
        kill();
        launch();
    }

    @Override
    public String toString() {
        return "haproxy " + name + " (" + listens + ")";
    }

    private void launch() {
        ProcessBuilder b = new ProcessBuilder(List.of(Binaries.haproxy().toString(), "-db", "-f", configFile.toString()))
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(logFile.toFile()));
        try {
            process = b.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + this, e);
        }
        awaitListening();
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) throw failedStart("exited with code " + process.exitValue());
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(listens.host(), listens.port()), 200);
                return;
            } catch (IOException e) {
                if (System.nanoTime() - deadline > 0) {
                    kill();
                    throw failedStart("did not listen on " + listens + " within " + START_TIMEOUT.toSeconds() + " s");
                }
            }
            RedisProcess.sleep(Duration.ofMillis(50));
        }
    }

    private IllegalStateException failedStart(String why) {
        String tail;
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            tail = String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            tail = "(no log: " + e.getMessage() + ")";
        }
        return new IllegalStateException(this + " " + why + "; last lines of " + logFile + ":\n" + tail);
    }

    private static boolean awaitExit(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }
}
