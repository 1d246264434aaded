package dev.ferry.demo;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tells what one instance does, in one line each, from its own log (the lines an operator would grep):
 * switches of master, fences, held traffic, no master, and its stopping.
 */
final class InstanceNarrator implements AutoCloseable {
    /** {@code 2026-12-01 10:00:00.000 WARN  [redis] master A -> B after 13 ms: why}: the part worth a line. */
    private static final Pattern WORTH_TELLING = Pattern.compile(
            "^\\S+ \\S+ +(?:WARN|ERROR|INFO) +(?:\\[[^\\]]+\\] )?(master \\S+ -> \\S+ after \\d+ ms|fenced old master \\S+|holding .*"
                    + "|no master: .*|stopping: .*)");
    private static final long POLL_MILLIS = 200;

    private final String name;
    private final Path log;
    private final DemoEvents events;
    private final Thread thread;
    private volatile boolean running = true;

    InstanceNarrator(String name, Path log, DemoEvents events) {
        this.name = name;
        this.log = log;
        this.events = events;
        this.thread = new Thread(this::follow, "ferry-demo-narrator-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** The line to tell for one log line, or null. */
    static String tell(String logLine) {
        Matcher m = WORTH_TELLING.matcher(logLine);
        return m.find() ? m.group(1).replaceFirst(":$", "") : null;
    }

    private void follow() {
        long offset = 0;
        StringBuilder partial = new StringBuilder();
        while (running) {
            try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                if (f.length() > offset) {
                    f.seek(offset);
                    byte[] chunk = new byte[(int) Math.min(f.length() - offset, 1 << 20)];
                    f.readFully(chunk);
                    offset += chunk.length;
                    partial.append(new String(chunk, StandardCharsets.UTF_8));
                    int nl;
                    while ((nl = partial.indexOf("\n")) >= 0) {
                        String said = tell(partial.substring(0, nl));
                        partial.delete(0, nl + 1);
                        if (said != null) events.say(name + ": " + said);
                    }
                }
            } catch (IOException e) {
                // not written yet: look again
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
