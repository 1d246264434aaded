package dev.ferry.resp;

import io.netty.buffer.ByteBuf;
import java.io.IOException;

/**
 * Where one whole RESP2/RESP3 reply ends in a buffer, found without copying it: payloads of bulk strings
 * are skipped by their length, so a large value arriving in many reads is scanned once per read for its
 * headers only, and {@link RespReader} turns it into a value once it is all there.
 */
final class ReplyFrames {
    static final long MAX_BULK = 64L * 1024 * 1024;

    private ReplyFrames() {}

    /** The index just after the reply that starts at {@code from}, or -1 while it is incomplete. */
    static int end(ByteBuf b, int from) throws IOException {
        int limit = b.writerIndex();
        int i = from;
        long due = 1; // replies (or elements of one) still to skip
        while (due > 0) {
            if (i >= limit) return -1;
            int lf = b.indexOf(i + 1, limit, (byte) '\n');
            if (lf < 0) return -1;
            byte type = b.getByte(i);
            int next = lf + 1;
            due--;
            switch (type) {
                case '$', '=', '!' -> {
                    long n = number(b, i + 1, lf - 1);
                    if (n > MAX_BULK) throw new IOException("bulk reply of " + n + " bytes is too large");
                    if (n >= 0) {
                        long after = (long) next + n + 2;
                        if (after > limit) return -1;
                        next = (int) after;
                    }
                }
                case '*', '~', '>' -> due += Math.max(0, number(b, i + 1, lf - 1));
                case '%' -> due += 2 * Math.max(0, number(b, i + 1, lf - 1));
                case '+', '-', ':', '_', '#', ',', '(' -> { }
                default -> throw new IOException("not a RESP reply (first byte 0x" + Integer.toHexString(type & 0xff) + ")");
            }
            i = next;
        }
        return i;
    }

    /** The signed decimal between {@code from} and the CR at {@code cr}. */
    private static long number(ByteBuf b, int from, int cr) throws IOException {
        if (cr <= from || b.getByte(cr) != '\r') throw new IOException("malformed reply header");
        boolean negative = b.getByte(from) == '-';
        long n = 0;
        for (int i = negative ? from + 1 : from; i < cr; i++) {
            int d = b.getByte(i) - '0';
            if (d < 0 || d > 9 || n > Long.MAX_VALUE / 16) throw new IOException("malformed number in reply header");
            n = n * 10 + d;
        }
        return negative ? -n : n;
    }
}
