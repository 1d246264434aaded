package dev.ferry.demo;

import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** The demo's running commentary: one timestamped line per switch, fence and restart. */
final class DemoEvents {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final PrintWriter out;
    private volatile boolean silenced;

    DemoEvents(PrintWriter out) {
        this.out = out;
    }

    void say(String line) {
        if (silenced) return;  // what the instances see while everything stops is noise
        synchronized (out) {
            out.println("  " + LocalTime.now().format(CLOCK) + "  " + line);
            out.flush();
        }
    }

    void silence() {
        silenced = true;
    }
}
