package dev.ferry.proxy;

import io.netty.buffer.ByteBuf;

/**
 * Finds where each reply ends in a node's byte stream (RESP2 and RESP3), across read bursts, without
 * copying: bulk payloads are skipped by their length. Top-level error replies are classified, since
 * {@code -READONLY} and {@code -UNBLOCKED} mean the command was not executed.
 */
final class ReplyScanner {
    /** Receives each complete top-level reply: the index just past it in the buffer, and its kind. */
    interface Sink {
        void reply(int end, int kind);
    }

    static final int OK = 0;
    static final int READONLY = 1;
    static final int UNBLOCKED = 2;
    static final int ERROR = 3;
    /** A RESP3 push (invalidation, Pub/Sub message): not the reply to a command. */
    static final int PUSH = 4;

    private static final int TYPE = 0, LINE = 1, LINE_LF = 2, NUM = 3, NUM_LF = 4, BODY = 5;
    /** Deeper than any reply Redis sends (a Lua script may return a deeply nested table); the stack grows on demand. */
    private static final int MAX_DEPTH = 1 << 20;
    private static final long ATTRIBUTE = 1L << 62;  // marks an attribute map: it annotates, it is no element
    private static final byte[] READONLY_PREFIX = "-READONLY ".getBytes();
    private static final byte[] UNBLOCKED_PREFIX = "-UNBLOCKED ".getBytes();

    private int state = TYPE;
    private byte type;
    private long[] left = new long[4];  // grows with nesting, up to MAX_DEPTH
    private int depth;
    private long num;
    private boolean negative;
    private long bodyLeft;
    private boolean topLevelError;
    private boolean topLevelPush;
    private final byte[] head = new byte[16];
    private final byte[] win = new byte[32];
    private int headLen;

    /** True when the buffer ended inside a RESP3 push (not the reply to a command). */
    boolean insidePush() {
        return topLevelPush && (state != TYPE || depth > 0);
    }

    /** True when the buffer ended inside a top-level error line (its start is the last reply's end). */
    boolean insideTopLevelError() {
        return topLevelError && state != TYPE;
    }

    /** Scans the readable bytes; false when they are not RESP this scanner can follow. */
    boolean scan(ByteBuf buf, Sink sink) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            if (state == TYPE && depth == 0) {
                int e = wholeSimpleReply(buf, i, end);
                if (e > 0) {
                    i = e;
                    sink.reply(e, OK);
                    continue;
                }
            }
            switch (state) {
                case TYPE -> {
                    type = buf.getByte(i++);
                    if (depth == 0) {
                        topLevelError = type == '-';
                        topLevelPush = type == '>';
                        headLen = 0;
                        if (topLevelError) head[headLen++] = type;
                    }
                    switch (type) {
                        case '+', '-', ':', ',', '(', '#', '_' -> state = LINE;
                        case '$', '=', '!', '*', '~', '>', '%', '|' -> {
                            state = NUM;
                            num = 0;
                            negative = false;
                        }
                        default -> {
                            return false;
                        }
                    }
                }
                case LINE -> {
                    // Short lines: a byte at a time is fine; only the head of a top-level error is kept.
                    int lf = buf.indexOf(i, end, (byte) '\n');
                    int stop = lf < 0 ? end : lf + 1;
                    if (topLevelError && depth == 0) {
                        for (int k = i; k < stop && headLen < head.length; k++) head[headLen++] = buf.getByte(k);
                    }
                    i = stop;
                    if (lf >= 0) {
                        state = TYPE;
                        elementDone(i, sink);
                    }
                }
                case NUM -> {
                    byte b = buf.getByte(i++);
                    if (b == '\r') {
                        state = NUM_LF;
                    } else if (b == '-') {
                        negative = true;
                    } else if (b >= '0' && b <= '9') {
                        num = num * 10 + (b - '0');
                    } else if (b != '?') {
                        return false;
                    }
                }
                case NUM_LF -> {
                    if (buf.getByte(i++) != '\n') return false;
                    long n = negative ? -1 : num;
                    state = TYPE;
                    if (type == '$' || type == '=' || type == '!') {
                        if (n >= 0) {
                            bodyLeft = n + 2;
                            state = BODY;
                        } else {
                            elementDone(i, sink);
                        }
                    } else {
                        if (type == '%') n *= 2;
                        if (type == '|' && n <= 0) {
                            // an empty attribute annotates nothing
                        } else if (n <= 0) {
                            elementDone(i, sink);
                        } else {
                            if (depth == MAX_DEPTH) return false;
                            if (depth == left.length) left = java.util.Arrays.copyOf(left, Math.min(MAX_DEPTH, depth * 2));
                            left[depth++] = type == '|' ? ((n * 2) | ATTRIBUTE) : n;
                        }
                    }
                }
                case BODY -> {
                    int n = (int) Math.min(bodyLeft, end - i);
                    i += n;
                    bodyLeft -= n;
                    if (bodyLeft == 0) {
                        state = TYPE;
                        elementDone(i, sink);
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
        return true;
    }

    /**
     * The common case, straight through: a whole status, integer or bulk reply at {@code i}. Returns
     * where it ends, or -1 for anything else (the state machine then takes it byte by byte). Reads the
     * reply's head through one copy into a small window instead of byte by byte.
     */
    private int wholeSimpleReply(ByteBuf buf, int i, int end) {
        int n = Math.min(win.length, end - i);
        buf.getBytes(i, win, 0, n);
        byte t = win[0];
        if (t == '+' || t == ':') {
            for (int k = 1; k < n; k++) {
                if (win[k] == '\n') return i + k + 1;
            }
            if (n < win.length) return -1;
            int lf = buf.indexOf(i + n, end, (byte) '\n');
            return lf < 0 ? -1 : lf + 1;
        }
        if (t != '$') return -1;
        int k = 1;
        if (n > 4 && win[1] == '-' && win[2] == '1' && win[3] == '\r' && win[4] == '\n') return i + 5;  // null
        long len = 0;
        while (k < n && win[k] >= '0' && win[k] <= '9') {
            len = len * 10 + (win[k] - '0');
            k++;
        }
        if (k == 1 || k > 11 || k + 1 >= n || win[k] != '\r' || win[k + 1] != '\n') return -1;
        long e = (long) i + k + 2 + len + 2;
        return e <= end ? (int) e : -1;
    }

    /** One element (or a whole aggregate) ended at {@code end}; reports the reply when it was the top. */
    private void elementDone(int end, Sink sink) {
        while (depth > 0) {
            long l = left[depth - 1];
            boolean attribute = (l & ATTRIBUTE) != 0;
            long n = (l & ~ATTRIBUTE) - 1;
            if (n > 0) {
                left[depth - 1] = attribute ? (n | ATTRIBUTE) : n;
                return;
            }
            depth--;
            if (attribute) return;  // the annotated value follows and is the element
        }
        int kind;
        if (topLevelPush) kind = PUSH;
        else if (!topLevelError) kind = OK;
        else if (startsWith(READONLY_PREFIX)) kind = READONLY;
        else if (startsWith(UNBLOCKED_PREFIX)) kind = UNBLOCKED;
        else kind = ERROR;
        topLevelError = topLevelPush = false;
        sink.reply(end, kind);
    }

    private boolean startsWith(byte[] prefix) {
        if (headLen < prefix.length) return false;
        for (int k = 0; k < prefix.length; k++) {
            if (head[k] != prefix[k]) return false;
        }
        return true;
    }
}
