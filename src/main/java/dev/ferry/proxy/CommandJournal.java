package dev.ferry.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

/**
 * The client bytes of one session whose replies have not reached the client yet, so that commands the
 * old master refused can be sent again to the new one. Holds the read buffers themselves (one reference
 * each, no copy, no slice object) with its own read offset into each, and one length and flag word per
 * command; a command leaves when its reply is passed on. Also holds bytes not yet sent (read while no
 * master was known, or while a change of master is settled).
 */
final class CommandJournal {
    private final Buffers bufs = new Buffers();
    private long bytes;          // journaled, from the oldest unanswered command to the last byte read
    private long sentBytes;      // of those, written to the current node
    private long recordedBytes;  // of those, belonging to complete commands
    private long[] lengths = new long[16];
    private int[] flags = new int[16];
    private int head;
    private int count;           // complete commands journaled
    private int sent;            // of those, written to the current node

    /** Keeps a reference to the burst's readable bytes (their indexes must not change; the reader index may). */
    void append(ByteBuf burst) {
        bufs.add(burst.retain(), burst.readerIndex(), burst.writerIndex());
        bytes += burst.readableBytes();
    }

    void record(long length, int commandFlags) {
        if (count == lengths.length) grow();
        int at = (head + count) & (lengths.length - 1);
        lengths[at] = length;
        flags[at] = commandFlags;
        count++;
        recordedBytes += length;
        if (recordedBytes <= sentBytes) sent++;
    }

    /** Everything journaled so far has been written to the node. */
    void markAllSent() {
        sentBytes = bytes;
        sent = count;
    }

    /** A new node: nothing has been written to it yet. */
    void markNoneSent() {
        sentBytes = 0;
        sent = 0;
    }

    /** Writes what the current node has not been sent (no copy: slices of the read buffers). */
    void writeUnsent(Channel node) {
        long skip = sentBytes;
        for (int k = 0; k < bufs.size(); k++) {
            int from = bufs.from(k);
            int n = bufs.to(k) - from;
            if (skip >= n) {
                skip -= n;
                continue;
            }
            node.write(bufs.get(k).retainedSlice(from + (int) skip, n - (int) skip), node.voidPromise());
            skip = 0;
        }
        markAllSent();
    }

    /** A copy of the oldest command's bytes (for the few commands whose state is replayed). */
    ByteBuf copyOldest() {
        long len = lengths[head];
        ByteBuf out = Unpooled.buffer((int) len);
        for (int k = 0; k < bufs.size() && len > 0; k++) {
            int n = (int) Math.min(len, bufs.to(k) - bufs.from(k));
            out.writeBytes(bufs.get(k), bufs.from(k), n);
            len -= n;
        }
        return out;
    }

    int oldestFlags() {
        return flags[head];
    }

    /** The flags of the k-th oldest command. */
    int flags(int k) {
        return flags[(head + k) & (lengths.length - 1)];
    }

    /** The oldest command's reply went to the client: forget it. */
    void removeOldest() {
        long len = lengths[head];
        head = (head + 1) & (lengths.length - 1);
        count--;
        if (sent > 0) sent--;
        bytes -= len;
        sentBytes = Math.max(0, sentBytes - len);
        recordedBytes -= len;
        while (len > 0) len -= bufs.consume(len);
    }

    /** Complete commands journaled. */
    int commands() {
        return count;
    }

    /** Complete commands written to the current node (their replies are awaited or held). */
    int sentCommands() {
        return sent;
    }

    long bytes() {
        return bytes;
    }

    boolean hasUnsent() {
        return bytes > sentBytes;
    }

    void release() {
        bufs.clear();
        bytes = sentBytes = recordedBytes = 0;
        count = sent = head = 0;
    }

    /** A ring of buffer references, each with the range of its bytes still journaled. */
    private static final class Buffers {
        private ByteBuf[] refs = new ByteBuf[8];
        private int[] from = new int[8];
        private int[] to = new int[8];
        private int head;
        private int size;

        void add(ByteBuf b, int start, int end) {
            if (size == refs.length) grow();
            int at = (head + size) & (refs.length - 1);
            refs[at] = b;
            from[at] = start;
            to[at] = end;
            size++;
        }

        int size() {
            return size;
        }

        ByteBuf get(int k) {
            return refs[(head + k) & (refs.length - 1)];
        }

        int from(int k) {
            return from[(head + k) & (refs.length - 1)];
        }

        int to(int k) {
            return to[(head + k) & (refs.length - 1)];
        }

        /** Drops up to {@code len} bytes from the front; returns how many it dropped. */
        long consume(long len) {
            int n = (int) Math.min(len, to[head] - from[head]);
            from[head] += n;
            if (from[head] == to[head]) {
                refs[head].release();
                refs[head] = null;
                head = (head + 1) & (refs.length - 1);
                size--;
            }
            return n;
        }

        void clear() {
            while (size > 0) {
                refs[head].release();
                refs[head] = null;
                head = (head + 1) & (refs.length - 1);
                size--;
            }
            head = 0;
        }

        private void grow() {
            ByteBuf[] r = new ByteBuf[refs.length * 2];
            int[] f = new int[r.length];
            int[] t = new int[r.length];
            for (int k = 0; k < size; k++) {
                int at = (head + k) & (refs.length - 1);
                r[k] = refs[at];
                f[k] = from[at];
                t[k] = to[at];
            }
            refs = r;
            from = f;
            to = t;
            head = 0;
        }
    }

    private void grow() {
        long[] l = new long[lengths.length * 2];
        int[] f = new int[l.length];
        for (int k = 0; k < count; k++) {
            l[k] = lengths[(head + k) & (lengths.length - 1)];
            f[k] = flags[(head + k) & (lengths.length - 1)];
        }
        lengths = l;
        flags = f;
        head = 0;
    }
}
