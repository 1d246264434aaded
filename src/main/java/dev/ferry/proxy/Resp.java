package dev.ferry.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The few RESP values Ferry writes or reads itself, off the hot path: commands it sends on its own
 * (a connection's AUTH, HELLO, SELECT), replies it gives itself, and the arguments of the rare commands
 * whose arguments decide a route (AUTH, HELLO, SELECT, CLIENT SETNAME).
 */
final class Resp {
    static final ByteBuf OK = constant("+OK\r\n");
    static final ByteBuf RESET = constant("+RESET\r\n");
    static final ByteBuf NULL2 = constant("$-1\r\n");
    static final ByteBuf NULL3 = constant("_\r\n");

    private Resp() {}

    private static ByteBuf constant(String s) {
        return Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII).asReadOnly());
    }

    static ByteBuf command(byte[]... args) {
        return Unpooled.wrappedBuffer(commandBytes(args));
    }

    static ByteBuf command(String... args) {
        byte[][] b = new byte[args.length][];
        for (int i = 0; i < args.length; i++) b[i] = args[i].getBytes(StandardCharsets.UTF_8);
        return command(b);
    }

    static byte[] commandBytes(byte[]... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ascii(out, "*" + args.length + "\r\n");
        for (byte[] a : args) {
            ascii(out, "$" + a.length + "\r\n");
            out.writeBytes(a);
            ascii(out, "\r\n");
        }
        return out.toByteArray();
    }

    static ByteBuf bulk(byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ascii(out, "$" + value.length + "\r\n");
        out.writeBytes(value);
        ascii(out, "\r\n");
        return Unpooled.wrappedBuffer(out.toByteArray());
    }

    static ByteBuf error(String text) {
        return Unpooled.copiedBuffer("-" + text + "\r\n", StandardCharsets.UTF_8);
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** The arguments of one whole command (a RESP array of bulk strings, or an inline line). */
    static List<byte[]> args(ByteBuf command) {
        List<byte[]> out = new ArrayList<>();
        int i = command.readerIndex();
        int end = command.writerIndex();
        if (i < end && command.getByte(i) == '*') {
            int lf = command.indexOf(i, end, (byte) '\n');
            long n = Long.parseLong(command.toString(i + 1, lf - 1 - (i + 1), StandardCharsets.US_ASCII));
            i = lf + 1;
            for (long a = 0; a < n; a++) {
                lf = command.indexOf(i, end, (byte) '\n');
                int len = Integer.parseInt(command.toString(i + 1, lf - 1 - (i + 1), StandardCharsets.US_ASCII));
                byte[] arg = new byte[len];
                command.getBytes(lf + 1, arg);
                out.add(arg);
                i = lf + 1 + len + 2;
            }
            return out;
        }
        String line = command.toString(i, end - i, StandardCharsets.UTF_8).trim();
        for (String t : line.split("[ \t]+")) {
            if (!t.isEmpty()) out.add(t.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    static boolean is(byte[] arg, String upper) {
        return new String(arg, StandardCharsets.UTF_8).equalsIgnoreCase(upper);
    }

    static String text(byte[] arg) {
        return new String(arg, StandardCharsets.UTF_8);
    }

    /** A decimal integer as Redis reads one, or null. */
    static Long integer(byte[] arg) {
        try {
            String s = new String(arg, StandardCharsets.US_ASCII);
            if (s.isEmpty() || s.startsWith("+") || (s.length() > 1 && s.startsWith("0")) || s.startsWith("-0")) return null;
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
