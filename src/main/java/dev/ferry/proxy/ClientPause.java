package dev.ferry.proxy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A CLIENT PAUSE a client sent through this frontend and Redis accepted. While it lasts, the commands it
 * holds back (writes with WRITE, everything with ALL) travel on connections of their own: on a shared
 * connection a paused write would hold back every other session's reads behind it, which directly Redis
 * answers at once. Ferry learns only of the pauses that pass through it (see docs/ROUTING.md).
 */
final class ClientPause {
    private volatile boolean on;
    private volatile boolean all;
    private volatile long untilNanos;

    /** Whether a command with these flags may be held back by Redis now. */
    boolean holds(int flags) {
        if (!on) return false;
        if (System.nanoTime() - untilNanos > 0) {
            on = false;
            return false;
        }
        return all || (flags & CommandTable.READ) == 0;
    }

    /** Redis accepted {@code CLIENT PAUSE timeout [WRITE|ALL]} or {@code CLIENT UNPAUSE}. */
    void accepted(List<byte[]> args) {
        if (args.size() < 2 || !Resp.is(args.get(1), "PAUSE")) {
            on = false;
            return;
        }
        long ms;
        try {
            ms = Long.parseLong(new String(args.get(2), StandardCharsets.US_ASCII));
        } catch (RuntimeException e) {
            return;  // Redis would not have accepted it
        }
        all = args.size() < 4 || !Resp.is(args.get(3), "WRITE");
        untilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        on = true;
    }
}
