package dev.ferry.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Finds where each client command ends in a byte stream (RESP arrays of bulk strings, or inline
 * commands), across read bursts, without copying: only the command name and its first argument
 * (a few bytes) are kept, to classify the command. Bytes that make no command (an empty line, an empty
 * array) count towards the next command, so the lengths reported add up to the stream.
 */
final class RequestScanner {
    /** Receives each complete command: its length in bytes and its {@link CommandTable} flags. */
    interface Sink {
        void command(long length, int flags);
    }

    private static final int START = 0, ARRAY_NUM = 1, ARRAY_LF = 2, BULK_HDR = 3, BULK_NUM = 4, BULK_LF = 5,
            BULK_BODY = 6, INLINE = 7;
    private static final long MAX_ARGS = 1024 * 1024;          // Redis's own limits for a request
    private static final long MAX_BULK = 512L * 1024 * 1024;
    private static final int MAX_INLINE = 64 * 1024;
    /** Redis closes an unauthenticated connection that sends more arguments or a longer bulk than these. */
    private static final long UNAUTH_ARGS = 10;
    private static final long UNAUTH_BULK = 16 * 1024;

    private int state = START;
    private long num;
    private boolean negative;
    private boolean digits;
    private long argsLeft;
    private long bulkLeft;
    private long bulkLen;
    private int argIndex;
    private long commandBytes;
    private int inlineBytes;
    private boolean inToken;
    private final byte[] name = new byte[CommandTable.MAX_NAME];
    private int nameLen;
    private final byte[] arg1 = new byte[CommandTable.MAX_NAME];
    private int arg1Len;
    private final byte[] lastName = new byte[CommandTable.MAX_NAME];
    private int lastNameLen = -1;
    private long lastArgc;
    private int lastFlags;
    /** Of the command being scanned: its argument count, and whether a bulk was over 16 KiB. */
    private long argc;
    private boolean bigBulk;
    private boolean inline;
    private String problem;
    /**
     * The read window, one per event loop thread rather than per session (it is only valid within one
     * {@link #scan} call, and a thread scans one session at a time): 1 KiB saved per session.
     */
    private static final FastThreadLocal<byte[]> WINDOW = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[1024];
        }
    };
    private byte[] win;
    private int winBase;
    private int winLen;

    /** What made the stream unreadable, once {@link #scan} returned false. */
    String problem() {
        return problem;
    }

    /** Scans the readable bytes; false when they are not a request stream this scanner can follow. */
    boolean scan(ByteBuf buf, Sink sink) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        long start = commandBytes - i;  // commandBytes = start + index, kept in sync on each command
        winLen = 0;  // the window held bytes of the previous buffer
        win = WINDOW.get();
        while (i < end) {
            if (state == START) {
                int e = wholeCommand(buf, i, end);
                if (e > 0) {
                    emit(sink, start + e);
                    start = -e;
                    i = e;
                    continue;
                }
            }
            switch (state) {
                case START -> {
                    byte b = buf.getByte(i++);
                    if (b == '*') {
                        state = ARRAY_NUM;
                        resetNumber();
                    } else {
                        state = INLINE;
                        inlineBytes = 0;
                        inline = true;
                        bigBulk = false;
                        argIndex = 0;
                        nameLen = arg1Len = 0;
                        inToken = false;
                        i--;
                    }
                }
                case ARRAY_NUM, BULK_NUM -> {
                    byte b = buf.getByte(i++);
                    if (b == '\r') {
                        if (!digits) return fail("a number is missing");
                        state = state == ARRAY_NUM ? ARRAY_LF : BULK_LF;
                    } else if (b == '-' && !digits && !negative) {
                        negative = true;
                    } else if (b >= '0' && b <= '9') {
                        digits = true;
                        num = num * 10 + (b - '0');
                        if (num > MAX_BULK) return fail("a length is too large");
                    } else {
                        return fail("'" + printable(b) + "' where a number was expected");
                    }
                }
                case ARRAY_LF -> {
                    if (buf.getByte(i++) != '\n') return fail("a line does not end with CRLF");
                    long n = negative ? -num : num;
                    if (n > MAX_ARGS) return fail("too many arguments in one command");
                    if (n <= 0) {
                        state = START;  // Redis ignores an empty array: no command, no reply
                    } else {
                        argsLeft = n;
                        argc = n;
                        bigBulk = inline = false;
                        argIndex = 0;
                        nameLen = arg1Len = 0;
                        state = BULK_HDR;
                    }
                }
                case BULK_HDR -> {
                    byte b = buf.getByte(i++);
                    if (b != '$') return fail("expected '$', got '" + printable(b) + "'");
                    state = BULK_NUM;
                    resetNumber();
                }
                case BULK_LF -> {
                    if (buf.getByte(i++) != '\n') return fail("a line does not end with CRLF");
                    if (negative) return fail("a negative bulk length");
                    bulkLen = num;
                    bulkLeft = num + 2;
                    if (num > UNAUTH_BULK) bigBulk = true;
                    state = BULK_BODY;
                }
                case BULK_BODY -> {
                    int n = (int) Math.min(bulkLeft, end - i);
                    if (argIndex < 2) keep(buf, i, n);
                    i += n;
                    bulkLeft -= n;
                    if (bulkLeft == 0) {
                        argIndex++;
                        if (--argsLeft == 0) {
                            state = START;
                            emit(sink, start + i);
                            start = -i;
                        } else {
                            state = BULK_HDR;
                        }
                    }
                }
                case INLINE -> {
                    byte b = buf.getByte(i++);
                    if (++inlineBytes > MAX_INLINE) return fail("an inline command longer than 64 KiB");
                    if (b == '\n') {
                        state = START;
                        if (argIndex > 0 || inToken) {
                            argc = argIndex + (inToken ? 1 : 0);
                            emit(sink, start + i);
                            start = -i;
                        }
                    } else if (b == ' ' || b == '\t' || b == '\r') {
                        if (inToken) argIndex++;
                        inToken = false;
                    } else {
                        inToken = true;
                        if (argIndex == 0 && nameLen < name.length) name[nameLen++] = b;
                        else if (argIndex == 1 && arg1Len < arg1.length) arg1[arg1Len++] = b;
                        else if (argIndex == 0) nameLen = name.length + 1;  // too long: no known command
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
        commandBytes = start + i;
        return true;
    }

    /**
     * The common case, straight through: a whole, well-formed RESP command from {@code i}. Returns
     * where it ends, or -1 when it is incomplete or unusual (the state machine then takes it byte by byte).
     * Reads through a copied window (one bounds check per window, not per byte), refilled at an
     * argument that starts near its end.
     */
    private int wholeCommand(ByteBuf buf, int i, int end) {
        byte[] w = win;
        int base = winBase;
        int len = winLen;
        if (i < base || i >= base + len || len - (i - base) < 16 && base + len < end) {
            base = i;
            len = Math.min(w.length, end - i);
            buf.getBytes(i, w, 0, len);
        }
        winBase = base;
        winLen = len;
        int k = i - base;
        if (w[k] != '*') return -1;
        int first = ++k;
        long n = 0;
        while (k < len && w[k] >= '0' && w[k] <= '9' && k - first < 8) n = n * 10 + (w[k++] - '0');
        if (k == first || n == 0 || n > MAX_ARGS || k + 1 >= len || w[k] != '\r' || w[k + 1] != '\n') return -1;
        k += 2;
        nameLen = arg1Len = 0;
        argc = n;
        bigBulk = inline = false;
        for (long a = 0; a < n; a++) {
            if (len - k < 16 && base + len < end) {  // the next header may cross the window: move it
                base += k;
                len = Math.min(w.length, end - base);
                if (len <= 0) return -1;
                buf.getBytes(base, w, 0, len);
                k = 0;
                winBase = base;
                winLen = len;
            }
            if (k >= len || w[k] != '$') return -1;
            int digitsFrom = ++k;
            long size = 0;
            while (k < len && w[k] >= '0' && w[k] <= '9' && k - digitsFrom < 10) size = size * 10 + (w[k++] - '0');
            if (k == digitsFrom || size > MAX_BULK || k + 1 >= len || w[k] != '\r' || w[k + 1] != '\n') return -1;
            k += 2;
            if (size > UNAUTH_BULK) bigBulk = true;
            long bodyEnd = (long) base + k + size + 2;
            if (bodyEnd > end) return -1;
            if (a == 0) {
                if (size <= name.length) {
                    copy(buf, w, base, len, k, name, (int) size);
                    nameLen = (int) size;
                } else {
                    nameLen = name.length + 1;
                }
            } else if (a == 1 && CommandTable.hasSubcommands(name, nameLen)) {
                arg1Len = (int) Math.min(size, arg1.length);
                copy(buf, w, base, len, k, arg1, arg1Len);
            }
            if (bodyEnd - base > len) {  // past the window: continue from a fresh one after this argument
                base = (int) bodyEnd;
                len = Math.min(w.length, end - base);
                if (len > 0) buf.getBytes(base, w, 0, len);
                k = 0;
                winBase = base;
                winLen = Math.max(len, 0);
            } else {
                k = (int) (bodyEnd - base);
            }
        }
        return base + k;
    }

    private static void copy(ByteBuf buf, byte[] w, int base, int len, int k, byte[] to, int n) {
        if (k + n <= len) System.arraycopy(w, k, to, 0, n);
        else buf.getBytes(base + k, to, 0, n);
    }

    private void emit(Sink sink, long length) {
        sink.command(length, classify());
    }

    /** Pipelines repeat a command: the last name's flags are reused when the bytes and the arity are the same. */
    private int classify() {
        int extra = (inline ? CommandTable.INLINE : 0) | (bigBulk || argc > UNAUTH_ARGS ? CommandTable.UNAUTH_LIMIT : 0);
        if (nameLen == lastNameLen && arg1Len == 0 && argc == lastArgc && nameLen <= name.length) {
            boolean same = true;
            for (int k = 0; k < nameLen && same; k++) same = name[k] == lastName[k];
            if (same) return lastFlags | extra;
        }
        int flags = CommandTable.classify(name, nameLen, arg1, arg1Len, argc);
        if (arg1Len == 0 && nameLen <= name.length) {
            System.arraycopy(name, 0, lastName, 0, nameLen);
            lastNameLen = nameLen;
            lastArgc = argc;
            lastFlags = flags;
        } else {
            lastNameLen = -1;
        }
        return flags | extra;
    }

    /** Keeps the first bytes of the command name and of its first argument (the CRLF is not kept). */
    private void keep(ByteBuf buf, int from, int n) {
        long offset = bulkLen + 2 - bulkLeft;  // position within this bulk
        for (int k = 0; k < n && offset < bulkLen; k++, offset++) {
            if (argIndex == 0) {
                if (nameLen >= name.length) {
                    nameLen = name.length + 1;  // longer than any command Ferry needs to know
                    return;
                }
                name[nameLen++] = buf.getByte(from + k);
            } else {
                if (arg1Len >= arg1.length) return;
                arg1[arg1Len++] = buf.getByte(from + k);
            }
        }
    }

    private void resetNumber() {
        num = 0;
        negative = false;
        digits = false;
    }

    private boolean fail(String why) {
        problem = why;
        return false;
    }

    private static String printable(byte b) {
        return b >= 32 && b < 127 ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }
}
