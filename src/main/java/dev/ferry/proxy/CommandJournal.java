package dev.ferry.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

/**
 * The client bytes of one session whose replies have not reached the client yet: in flight (written to
 * the session's current node connection), complete but not sent yet, and the start of a command still
 * arriving. Holds the read buffers themselves (one reference each, no copy) with its own offsets into
 * each, and one length and flag word per complete command. A command leaves when its reply is passed
 * on, so what a demoted master refused can be written again, from the oldest unanswered command on.
 */
final class CommandJournal {
    private final Buffers bufs = new Buffers();
    private long bytes;          // journaled, from the oldest unanswered command to the last byte read
    private long sentBytes;      // of those, written to the current node connection
    private long recordedBytes;  // of those, belonging to complete commands
    private long sentCommandBytes;  // of those, belonging to the complete commands counted as sent
    private long[] lengths;
    private int[] flags;
    private int head;
    private int count;           // complete commands journaled
    private int sent;            // of those, written to the current node connection

    /** Keeps a reference to the burst's readable bytes (their indexes must not change; the reader index may). */
    void append(ByteBuf burst) {
        bufs.add(burst.retain(), burst.readerIndex(), burst.writerIndex());
        bytes += burst.readableBytes();
    }

    void record(long length, int commandFlags) {
        if (lengths == null) {
            lengths = new long[8];
            flags = new int[8];
        } else if (count == lengths.length) {
            grow();
        }
        int at = (head + count) & (lengths.length - 1);
        lengths[at] = length;
        flags[at] = commandFlags;
        count++;
        recordedBytes += length;
        if (recordedBytes <= sentBytes) {  // streamed ahead to a dedicated connection
            sent++;
            sentCommandBytes += length;
        }
    }

    /** Complete commands journaled. */
    int commands() {
        return count;
    }

    /** Complete commands written to the current node connection (their replies are awaited or held). */
    int sent() {
        return sent;
    }

    /** Complete commands not written yet. */
    int unsent() {
        return count - sent;
    }

    int oldestFlags() {
        return flags[head];
    }

    /** The flags of the k-th oldest command. */
    int flags(int k) {
        return flags[(head + k) & (lengths.length - 1)];
    }

    void setFlags(int k, int f) {
        flags[(head + k) & (lengths.length - 1)] = f;
    }

    long length(int k) {
        return lengths[(head + k) & (lengths.length - 1)];
    }

    long bytes() {
        return bytes;
    }

    /** Bytes read but not sent, including the start of a command still arriving. */
    long unsentBytes() {
        return bytes - sentBytes;
    }

    /** Bytes of a command still arriving (not yet complete). */
    long partialBytes() {
        return bytes - recordedBytes;
    }

    /** Writes the next {@code k} complete unsent commands (no copy: the read buffers or slices of them). */
    void writeNext(Channel node, int k) {
        long len = 0;
        for (int i = 0; i < k; i++) len += length(sent + i);
        // The first may have started to go out already, streamed while it was still arriving.
        long end = sentCommandBytes + len;
        if (end > sentBytes) write(node, sentBytes, end - sentBytes);
        sentBytes = Math.max(sentBytes, end);
        sentCommandBytes = end;
        sent += k;
    }

    /** Marks the next {@code k} commands sent without writing them (answered here, or written in another form). */
    void skipNext(int k) {
        for (int i = 0; i < k; i++) sentCommandBytes += length(sent + i);
        sentBytes = Math.max(sentBytes, sentCommandBytes);
        sent += k;
    }

    /** Writes everything not sent yet, the start of an incomplete command included (a dedicated connection). */
    void writeAllUnsent(Channel node) {
        write(node, sentBytes, bytes - sentBytes);
        sentBytes = bytes;
        sentCommandBytes = recordedBytes;
        sent = count;
    }

    /** Everything journaled so far has been written to the node directly (bytes forwarded as they came). */
    void markAllSent() {
        sentBytes = bytes;
        sentCommandBytes = recordedBytes;
        sent = count;
    }

    /** A new node connection: nothing has been written to it yet. */
    void markNoneSent() {
        sentBytes = sentCommandBytes = 0;
        sent = 0;
    }

    private void write(Channel node, long skip, long len) {
        for (int k = 0; k < bufs.size() && len > 0; k++) {
            int from = bufs.from(k);
            int n = bufs.to(k) - from;
            if (skip >= n) {
                skip -= n;
                continue;
            }
            int at = from + (int) skip;
            int take = (int) Math.min(len, n - skip);
            ByteBuf b = bufs.get(k);
            if (at == b.readerIndex() && take == b.readableBytes() && at + take == b.writerIndex()) {
                node.write(b.retain(), node.voidPromise());  // the whole read burst: no slice object
            } else {
                node.write(b.retainedSlice(at, take), node.voidPromise());
            }
            len -= take;
            skip = 0;
        }
    }

    /** A copy of the k-th oldest command's bytes (for the few commands whose arguments Ferry reads). */
    ByteBuf copy(int k) {
        long skip = 0;
        for (int i = 0; i < k; i++) skip += length(i);
        long len = length(k);
        ByteBuf out = Unpooled.buffer((int) len);
        for (int b = 0; b < bufs.size() && len > 0; b++) {
            int from = bufs.from(b);
            int n = bufs.to(b) - from;
            if (skip >= n) {
                skip -= n;
                continue;
            }
            int take = (int) Math.min(len, n - skip);
            out.writeBytes(bufs.get(b), from + (int) skip, take);
            len -= take;
            skip = 0;
        }
        return out;
    }

    /** The oldest command's reply went to the client (or it was answered here): forget it. */
    void removeOldest() {
        long len = lengths[head];
        head = (head + 1) & (lengths.length - 1);
        count--;
        if (sent > 0) {
            sent--;
            sentCommandBytes -= len;
        }
        bytes -= len;
        sentBytes = Math.max(0, sentBytes - len);
        recordedBytes -= len;
        while (len > 0) len -= bufs.consume(len);
    }

    void release() {
        bufs.clear();
        bytes = sentBytes = recordedBytes = sentCommandBytes = 0;
        count = sent = head = 0;
    }

    /** A ring of buffer references, each with the range of its bytes still journaled. */
    private static final class Buffers {
        private ByteBuf[] refs = new ByteBuf[4];
        private int[] from = new int[4];
        private int[] to = new int[4];
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
