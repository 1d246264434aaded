package dev.ferry.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.util.ArrayDeque;

/**
 * The client bytes of one session whose replies have not reached the client yet, so that commands the
 * old master refused can be sent again to the new one. Holds the read buffers themselves (one reference
 * each, no copy) and one length and flag word per command; a command leaves when its reply is passed on.
 * Also holds bytes not yet sent (read while no master was known, or while a change of master is settled).
 */
final class CommandJournal {
    private final ArrayDeque<ByteBuf> bufs = new ArrayDeque<>();
    private long bytes;          // journaled, from the oldest unanswered command to the last byte read
    private long sentBytes;      // of those, written to the current node
    private long recordedBytes;  // of those, belonging to complete commands
    private long[] lengths = new long[16];
    private int[] flags = new int[16];
    private int head;
    private int count;           // complete commands journaled
    private int sent;            // of those, written to the current node

    void append(ByteBuf burst) {
        bufs.add(burst.retainedSlice());
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
        for (ByteBuf b : bufs) {
            int n = b.readableBytes();
            if (skip >= n) {
                skip -= n;
                continue;
            }
            node.write(b.retainedSlice(b.readerIndex() + (int) skip, n - (int) skip), node.voidPromise());
            skip = 0;
        }
        markAllSent();
    }

    /** A copy of the oldest command's bytes (for the few commands whose state is replayed). */
    ByteBuf copyOldest() {
        long len = lengths[head];
        ByteBuf out = Unpooled.buffer((int) len);
        for (ByteBuf b : bufs) {
            int n = (int) Math.min(len, b.readableBytes());
            out.writeBytes(b, b.readerIndex(), n);
            len -= n;
            if (len == 0) break;
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
        while (len > 0) {
            ByteBuf b = bufs.peek();
            int n = (int) Math.min(len, b.readableBytes());
            b.skipBytes(n);
            len -= n;
            if (!b.isReadable()) bufs.poll().release();
        }
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
        ByteBuf b;
        while ((b = bufs.poll()) != null) b.release();
        bytes = sentBytes = recordedBytes = 0;
        count = sent = head = 0;
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
