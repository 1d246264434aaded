package dev.ferry.demo.group;

import dev.ferry.config.HostPort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Ferry instance as its own JVM ({@code ferry run --config FILE}, with this JVM's class path), as a
 * host runs it under systemd: this JVM owns it, so it can be killed (-9), stopped (SIGTERM, which drains)
 * and started again. Its log goes to {@code <name>.log} and its pid to {@code <name>.pid} beside its
 * configuration, for a drill in another process to find.
 */
public final class FerryProcess {
    /** The launcher's JVM flags (see ./ferry), with a smaller heap: a demo instance serves a handful of clients. */
    private static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx128m", "-XX:+ExitOnOutOfMemoryError",
            "-XX:+UnlockExperimentalVMOptions", "-XX:+IgnoreUnrecognizedVMOptions", "-XX:TrimNativeHeapInterval=5000");

    private final String name;
    private final List<String> ferry;
    private final Path config;
    private final Path logFile;
    private final Path pidFile;
    private final HostPort health;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private volatile Process process;

    private FerryProcess(String name, List<String> ferry, Path config, HostPort health) {
        this.name = name;
        this.ferry = List.copyOf(ferry);
        this.config = config.toAbsolutePath();
        this.logFile = this.config.resolveSibling(name + ".log");
        this.pidFile = this.config.resolveSibling(name + ".pid");
        this.health = health;
    }

    /**
     * Starts {@code <ferry> run --config config}, where {@code ferry} is the command that runs Ferry's command
     * line ({@link #commandOf}); {@code health} is its admin address, where {@code /health} answers.
     */
    public static FerryProcess start(String name, List<String> ferry, Path config, HostPort health) {
        FerryProcess p = new FerryProcess(name, ferry, config, health);
        p.launch();
        return p;
    }

    /** The command that runs {@code main} (Ferry's command line) in a new JVM with this JVM's class path and the launcher's flags. */
    public static List<String> commandOf(Class<?> main) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        return command;
    }

    public String name() {
        return name;
    }

    public Path logFile() {
        return logFile;
    }

    public Path pidFile() {
        return pidFile;
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

    /** The exit code once it has exited (137 after SIGKILL, 143 after SIGTERM), else -1. */
    public int exitCode() {
        Process p = process;
        return p == null || p.isAlive() ? -1 : p.exitValue();
    }

    /** True when {@code /health} answers 200: it routes to a master. */
    public boolean healthy() {
        return health().startsWith("200");
    }

    /** What {@code /health} answers: "200 ok: ...", "503 no master: ...", or why there was no answer. */
    private String health() {
        try {
            HttpRequest r = HttpRequest.newBuilder(URI.create("http://" + health + "/health")).timeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> answer = http.send(r, HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() + " " + answer.body().strip();
        } catch (IOException e) {
            return "no answer (" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Waits until {@code /health} answers 200; throws with the log's last lines if it does not within {@code timeout}. */
    public void awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last;
        while (!(last = health()).startsWith("200")) {
            if (!alive()) throw failed("exited with code " + exitCode());
            if (System.nanoTime() - deadline > 0) {
                throw failed("did not answer " + this.health + "/health with 200 within " + timeout.toSeconds() + " s (last: " + last + ")");
            }
            RedisProcess.sleep(Duration.ofMillis(100));
        }
    }

    /** SIGKILL, then waits for the exit: the crash a drill rehearses. */
    public void kill() {
        Process p = process;
        if (p == null || !p.isAlive()) return;
        p.destroyForcibly();
        awaitExit(p, Duration.ofSeconds(10));
    }

    /** SIGTERM (Ferry drains, then closes its listeners), and SIGKILL if it has not exited within {@code grace}. */
    public void stop(Duration grace) {
        Process p = process;
        if (p == null || !p.isAlive()) return;
        p.destroy();
        if (!awaitExit(p, grace)) kill();
    }

    /** Starts it again with the same configuration; kills it first if alive. */
    public void restart() {
        kill();
        launch();
    }

    @Override
    public String toString() {
        return name;
    }

    private void launch() {
        List<String> command = new ArrayList<>(ferry);
        command.addAll(List.of("run", "--config", config.toString()));
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(Redirect.appendTo(logFile.toFile()));
            // As the launcher: two glibc malloc arenas unless the environment says otherwise (docs/BENCHMARKS-RSS.md).
            pb.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
            process = pb.start();
            Files.writeString(pidFile, process.pid() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + String.join(" ", command) + ")", e);
        }
    }

    private IllegalStateException failed(String why) {
        String tail;
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            tail = "(no log: " + e.getMessage() + ")";
        }
        return new IllegalStateException(name + " " + why + "; last lines of " + logFile + ":\n" + tail);
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
