package dev.ferry.resp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Encodes a command as a RESP array of bulk strings. */
public final class RespWriter {
    private RespWriter() {}

    public static byte[] command(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        ascii(out, "*" + args.length + "\r\n");
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            ascii(out, "$" + b.length + "\r\n");
            out.writeBytes(b);
            ascii(out, "\r\n");
        }
        return out.toByteArray();
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }
}
