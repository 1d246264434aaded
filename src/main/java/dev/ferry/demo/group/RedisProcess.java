package dev.ferry.demo.group;

import dev.ferry.config.Credentials;
import dev.ferry.config.HostPort;
import dev.ferry.resp.Connector;
import dev.ferry.resp.RedisException;
import dev.ferry.resp.RedisLink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code redis-server} or {@code redis-sentinel} child process, run in the foreground so that this JVM
 * owns it and can kill, stop, pause and restart it: on 127.0.0.1, or bound to another address and run
 * behind a command prefix such as {@code ip netns exec <ns>}. Calls go from this JVM's namespace.
 */
public final class RedisProcess {
    public enum Kind { SERVER, SENTINEL }

    private static final Logger log = LoggerFactory.getLogger(RedisProcess.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_GRACE = Duration.ofSeconds(3);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(1);
    private static final String CLIENT_NAME = "ferry-demo";
    private static final int LOG_TAIL_LINES = 20;

    private final Kind kind;
    private final List<String> commandPrefix;
    private final HostPort address;
    private final Connector connector;
    private final Path configFile;
    private final Path logFile;
    private volatile Process process;
    private volatile boolean paused;

    private RedisProcess(Kind kind, List<String> commandPrefix, HostPort address, Connector connector, Path configFile, Path logFile) {
        this.kind = kind;
        this.commandPrefix = List.copyOf(commandPrefix);
        this.address = address;
        this.connector = connector;
        this.configFile = configFile;
        this.logFile = logFile;
    }

    /**
     * Writes {@code <dir>/<redis|sentinel>-<port>.conf} (port, bind, dir, logfile, requirepass when a
     * password is given, then {@code config} verbatim), starts the process on 127.0.0.1 and waits until it
     * answers PING.
     */
    public static RedisProcess start(Kind kind, Path dir, int port, String password, List<String> config) {
        return start(kind, List.of(), dir, new HostPort("127.0.0.1", port), password, config);
    }

    /**
     * As {@link #start(Kind, Path, int, String, List)}, bound to {@code address}'s host and run as
     * {@code <commandPrefix...> <binary> <conf>}. The prefix must exec the binary (as {@code ip netns exec}
     * does), so that the child's pid is Redis's own and kill, SIGSTOP and SIGCONT reach it directly.
     */
    public static RedisProcess start(Kind kind, List<String> commandPrefix, Path dir, HostPort address,
                                     String password, List<String> config) {
        return start(kind, commandPrefix, dir, address, password, null, config);
    }

    /** As above; with {@code tls} the process listens on TLS only (port 0, tls-port) and this JVM calls it over TLS. */
    public static RedisProcess start(Kind kind, List<String> commandPrefix, Path dir, HostPort address,
                                     String password, GroupTls tls, List<String> config) {
        Path workDir = dir.toAbsolutePath();
        String name = (kind == Kind.SERVER ? "redis-" : "sentinel-") + address.port();
        Path configFile = workDir.resolve(name + ".conf");
        Path logFile = workDir.resolve(name + ".log");
        List<String> lines = new ArrayList<>();
        if (tls == null) {
            lines.add("port " + address.port());
        } else {
            lines.add("port 0");
            lines.add("tls-port " + address.port());
            lines.addAll(tls.configLines());
        }
        lines.add("bind " + address.host());
        lines.add("daemonize no");
        lines.add("dir " + quote(workDir.toString()));
        lines.add("logfile " + quote(logFile.toString()));
        if (password != null) lines.add("requirepass " + quote(password));
        lines.addAll(config);
        try {
            Files.createDirectories(workDir);
            Files.write(configFile, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + configFile, e);
        }
        Credentials auth = password == null ? Credentials.NONE : new Credentials(null, password);
        Connector connector = new Connector(auth, tls == null ? null : tls.client(), CALL_TIMEOUT);
        RedisProcess p = new RedisProcess(kind, commandPrefix, address, connector, configFile, logFile);
        p.launch();
        return p;
    }

    /** A config-file string literal: Redis splits config lines like a shell, so paths and passwords are quoted. */
    static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    public Kind kind() {
        return kind;
    }

    public HostPort address() {
        return address;
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

    /** True between {@link #pause()} and {@link #resume()}: alive, but it answers nothing. */
    public boolean paused() {
        return paused && alive();
    }

    /** SIGKILL, then waits for the exit: a crash, no chance to tell anyone. */
    public void kill() {
        Process p = process;
        if (p == null || !p.isAlive()) return;
        p.destroyForcibly();
        if (!awaitExit(p, Duration.ofSeconds(10))) throw new IllegalStateException(this + " survived SIGKILL");
        paused = false;
        log.debug("{} killed", this);
    }

    /** SIGTERM, and SIGKILL if it has not exited after 3 s. */
    public void stop() {
        Process p = process;
        if (p == null || !p.isAlive()) return;
        if (paused) resume(); // a stopped process would not act on SIGTERM until continued
        p.destroy();
        if (!awaitExit(p, STOP_GRACE)) kill();
        log.debug("{} stopped", this);
    }

    /** SIGSTOP: the process keeps its sockets but answers nothing, like a hung host. */
    public void pause() {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() {
        signal("CONT");
        paused = false;
    }

    /** Starts again with the same config file (as the process may have rewritten it) and port; kills it first if alive. */
    public void restart() {
        kill();
        launch();
    }

    /** One command on a fresh short connection (authenticated when a password is set); error replies are returned. */
    public Object call(String... args) {
        try (RedisLink link = connector.open(address, CLIENT_NAME)) {
            return link.call(args);
        } catch (IOException e) {
            throw new UncheckedIOException(this + " did not answer " + args[0] + ": " + e.getMessage(), e);
        } catch (RedisException e) {
            throw new IllegalStateException(e.getMessage());
        }
    }

    @Override
    public String toString() {
        String where = commandPrefix.isEmpty() ? "" : " via " + String.join(" ", commandPrefix);
        return (kind == Kind.SERVER ? "redis-server " : "redis-sentinel ") + address + where;
    }

    private void launch() {
        Path binary = kind == Kind.SERVER ? Binaries.server() : Binaries.sentinel();
        // Output before the logfile is opened (config errors) lands in the same file.
        List<String> command = new ArrayList<>(commandPrefix);
        command.add(binary.toString());
        command.add(configFile.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(logFile.toFile()));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
        paused = false;
        awaitPong();
        log.debug("{} up, pid {}", this, process.pid());
    }

    private void awaitPong() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer";
        while (true) {
            if (!process.isAlive()) throw failedStart("exited with code " + process.exitValue());
            try (RedisLink link = connector.withTimeout(Duration.ofMillis(500)).open(address, CLIENT_NAME)) {
                Object reply = link.call("PING");
                if ("PONG".equals(reply)) return;
                last = String.valueOf(reply);
            } catch (IOException | RedisException e) {
                last = e.getMessage();
            }
            if (System.nanoTime() - deadline > 0) {
                kill();
                throw failedStart("did not answer PING within " + START_TIMEOUT.toSeconds() + " s (" + last + ")");
            }
            sleep(Duration.ofMillis(50));
        }
    }

    private IllegalStateException failedStart(String why) {
        return new IllegalStateException(this + " " + why + "; last lines of " + logFile + ":\n" + logTail());
    }

    private String logTail() {
        try {
            List<String> lines = new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void signal(String name) {
        long pid = pid();
        if (!alive()) throw new IllegalStateException(this + " is not running");
        try {
            Process kill = new ProcessBuilder("/bin/kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (kill.waitFor() != 0) throw new IllegalStateException("kill -" + name + " " + pid + " failed: " + output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run /bin/kill", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + name + " to " + this);
        }
    }

    private static boolean awaitExit(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
