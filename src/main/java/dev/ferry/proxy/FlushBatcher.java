package dev.ferry.proxy;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.List;

/**
 * One flush per channel per event loop turn: writes made while the loop handles one turn's reads (many
 * clients' commands to one shared connection, many replies to one client) leave in one system call, after
 * the turn's reads, instead of one flush per message. A task run by the loop right after its I/O, not a
 * timer: nothing waits longer than the turn it was written in.
 */
final class FlushBatcher implements Runnable {
    /** Something to flush; it keeps its own "already scheduled" flag, so it is listed once. */
    interface Target {
        void flushNow();
    }

    private static final FastThreadLocal<FlushBatcher> PER_LOOP = new FastThreadLocal<>() {
        @Override
        protected FlushBatcher initialValue() {
            return new FlushBatcher();
        }
    };

    private final List<Target> targets = new ArrayList<>();
    private boolean scheduled;

    /** Schedules a flush of {@code t} at the end of this turn of {@code loop} (the current thread's loop). */
    static void add(Target t, EventLoop loop) {
        FlushBatcher b = PER_LOOP.get();
        b.targets.add(t);
        if (!b.scheduled) {
            b.scheduled = true;
            loop.execute(b);
        }
    }

    @Override
    public void run() {
        scheduled = false;
        for (int i = 0; i < targets.size(); i++) targets.get(i).flushNow();
        targets.clear();
    }
}
