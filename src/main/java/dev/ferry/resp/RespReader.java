package dev.ferry.resp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads RESP2/RESP3 replies from a blocking stream. Replies become plain Java values: String (simple and
 * bulk strings), Long, List (arrays, sets, pushes), {@link ErrorReply}, or null (null bulk or array).
 * Used by Ferry's own probes and tools, never on the proxied data path.
 */
public final class RespReader {
    private static final long MAX_BULK = ReplyFrames.MAX_BULK;
    private final InputStream in;

    public RespReader(InputStream in) {
        this.in = in;
    }

    public Object read() throws IOException {
        int type = in.read();
        if (type < 0) throw new EOFException("connection closed by the server");
        String line = line();
        switch (type) {
            case '+':
                return line;
            case '-':
                return new ErrorReply(line);
            case '!': {
                String data = bulk(line);
                return data == null ? null : new ErrorReply(data);
            }
            case ':':
                return parseLong(line);
            case '$':
            case '=':
                return bulk(line);
            case '*':
            case '~':
            case '>': {
                long n = parseLong(line);
                if (n < 0) return null;
                List<Object> items = new ArrayList<>((int) Math.min(n, 1024));
                for (long i = 0; i < n; i++) items.add(read());
                return items;
            }
            case '%': {
                long n = parseLong(line);
                List<Object> items = new ArrayList<>();
                for (long i = 0; i < 2 * n; i++) items.add(read());
                return items;
            }
            case '_':
                return null;
            case '#':
                return line.equals("t") ? 1L : 0L;
            case ',':
            case '(':
                return line;
            default:
                throw new IOException("not a RESP reply (first byte 0x" + Integer.toHexString(type) + ")");
        }
    }

    private String bulk(String header) throws IOException {
        long n = parseLong(header);
        if (n < 0) return null;
        if (n > MAX_BULK) throw new IOException("bulk reply of " + n + " bytes is too large");
        byte[] data = in.readNBytes((int) n);
        if (data.length < n) throw new EOFException("connection closed inside a reply");
        expectCrlf();
        return new String(data, StandardCharsets.UTF_8);
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) throw new EOFException("connection closed inside a reply");
            if (c == '\r') {
                int n = in.read();
                if (n != '\n') throw new IOException("malformed reply line");
                return sb.toString();
            }
            sb.append((char) c);
            if (sb.length() > 1 << 20) throw new IOException("reply line too long");
        }
    }

    private void expectCrlf() throws IOException {
        if (in.read() != '\r' || in.read() != '\n') throw new IOException("malformed bulk reply");
    }

    private static long parseLong(String s) throws IOException {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IOException("malformed number in reply: " + s);
        }
    }
}
