package dev.ferry.topology;

import dev.ferry.config.HostPort;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The master's replication offset as the check rounds saw it, so a replica's offset can be turned into
 * time: a replica at offset R lacks every write the master made after R; the first round that saw the
 * master past R says those writes are at least that old. A lower bound, exact to within one check interval.
 * No writes means no lag, whatever the replica's link does. Used on the topology's thread only.
 */
final class MasterOffsets {
    private record Sample(long atMillis, long offset) {}

    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private final long keepMillis;
    private HostPort master;

    MasterOffsets(long keepMillis) {
        this.keepMillis = keepMillis;
    }

    /** The master's offset seen now; a new master starts a new history (its offsets need not continue). */
    void seen(HostPort node, long offset, long nowMillis) {
        if (!node.equals(master)) {
            samples.clear();
            master = node;
        }
        if (offset < 0) return;
        Sample last = samples.peekLast();
        if (last == null || last.offset != offset) samples.addLast(new Sample(nowMillis, offset));
        // Keep one sample older than the window, so a lag past the window still reads as past it.
        while (samples.size() > 2 && nowMillis - get(1).atMillis > keepMillis) samples.removeFirst();
    }

    /** Milliseconds since the master first had a write a replica at {@code offset} lacks; 0 when it lacks none, -1 unknown. */
    long lagMillis(long offset, long nowMillis) {
        Sample last = samples.peekLast();
        if (last == null || offset < 0) return -1;
        if (offset >= last.offset) return 0;
        for (Sample s : samples) {
            if (s.offset > offset) return nowMillis - s.atMillis;
        }
        return 0;
    }

    long latest() {
        Sample last = samples.peekLast();
        return last == null ? -1 : last.offset;
    }

    private Sample get(int k) {
        Iterator<Sample> it = samples.iterator();
        for (int i = 0; i < k; i++) it.next();
        return it.next();
    }
}
