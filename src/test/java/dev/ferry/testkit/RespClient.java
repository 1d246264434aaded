package dev.ferry.testkit;

import dev.ferry.config.HostPort;
import dev.ferry.resp.RespWriter;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A test's Redis client: one socket, never reopened, so that a test sees exactly when its connection is
 * closed; blocking, every reply read with its RESP2/RESP3 type kept. Not Ferry's own client
 * ({@code resp.RedisLink}), which turns replies into Java values and is never a test's subject.
 */
public final class RespClient implements AutoCloseable {
    public static final Reply OK = simple("OK");

    /**
     * One reply with its RESP type kept ({@code +-:$*%~>_,#=(}): {@code text} for scalars, {@code items} for
     * aggregates (a map's keys and values alternate); a null bulk or array is type {@code _}.
     */
    public record Reply(char type, String text, List<Reply> items) {
        public boolean isError() {
            return type == '-';
        }

        @Override
        public String toString() {
            return switch (type) {
                case '_' -> "(nil)";
                case '$', '=' -> "\"" + text + "\"";
                case '*', '%', '~', '>' -> type + items.toString();
                default -> type + text;
            };
        }
    }

    public static Reply simple(String s) {
        return new Reply('+', s, null);
    }

    public static Reply bulk(String s) {
        return new Reply('$', s, null);
    }

    public static Reply integer(long n) {
        return new Reply(':', Long.toString(n), null);
    }

    public static Reply array(Reply... items) {
        return new Reply('*', null, List.of(items));
    }

    private final String name;
    private final Socket socket;
    private final BufferedInputStream in;
    private final OutputStream out;

    private RespClient(String name, Socket socket) throws IOException {
        this.name = name;
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code at}; {@code name} says which client a failure message is about. */
    public static RespClient open(HostPort at, String name) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(at.host(), at.port()), 5000);
            s.setSoTimeout(10_000);
            return new RespClient(name, s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** One command and its reply (10 s at most). */
    public Reply call(String... args) throws IOException {
        send(List.of(List.of(args)));
        return read(Duration.ofSeconds(10));
    }

    /** Sends the commands in one write (a pipeline) without reading. */
    public void send(List<List<String>> commands) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        for (List<String> c : commands) buf.writeBytes(RespWriter.command(c.toArray(String[]::new)));
        out.write(buf.toByteArray());
        out.flush();
    }

    /** Sends bytes as they are (inline commands, broken protocol). */
    public void sendRaw(String bytes) throws IOException {
        out.write(bytes.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** The next reply; an EOFException says the connection was closed, a SocketTimeoutException that nothing came. */
    public Reply read(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        try {
            return reply();
        } catch (EOFException e) {
            throw new EOFException("'" + name + "': the connection was closed while waiting for a reply");
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("'" + name + "': no reply within " + timeout.toMillis() + " ms");
        }
    }

    /** True when nothing arrives (and the connection stays open) for {@code d}. */
    public boolean quietFor(Duration d) throws IOException {
        socket.setSoTimeout((int) Math.max(1, d.toMillis()));
        in.mark(1);
        try {
            in.read();
            in.reset();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        }
    }

    /** True once the peer closed (EOF or reset) within {@code d}; whatever arrives meanwhile is skipped. */
    public boolean closedWithin(Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        byte[] skip = new byte[8192];
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                if (in.read(skip) < 0) return true;
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** The reply to one command as text, or "closed: ..." when the connection is gone. */
    public String outcome(String... command) {
        try {
            return call(command).toString();
        } catch (IOException e) {
            return "closed: " + e.getMessage();
        }
    }

    private Reply reply() throws IOException {
        int type = in.read();
        if (type < 0) throw new EOFException();
        String line = line();
        switch (type) {
            case '+', '-', ':', ',', '#', '(':
                return new Reply((char) type, line, null);
            case '$', '=', '!': {
                int n = Integer.parseInt(line);
                if (n < 0) return new Reply('_', null, null);
                byte[] data = in.readNBytes(n + 2);
                if (data.length < n + 2) throw new EOFException();
                String text = new String(data, 0, n, StandardCharsets.UTF_8);
                return new Reply(type == '!' ? '-' : (char) type, text, null);
            }
            case '*', '~', '>', '%': {
                int n = Integer.parseInt(line);
                if (n < 0) return new Reply('_', null, null);
                int count = type == '%' ? 2 * n : n;
                List<Reply> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) items.add(reply());
                return new Reply((char) type, null, List.copyOf(items));
            }
            case '|': { // attributes precede the reply they describe
                int n = Integer.parseInt(line);
                for (int i = 0; i < 2 * n; i++) reply();
                return reply();
            }
            case '_':
                return new Reply('_', null, null);
            default:
                throw new IOException("'" + name + "': not a RESP reply, first byte 0x" + Integer.toHexString(type));
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) throw new EOFException();
            if (c == '\r') {
                if (in.read() != '\n') throw new IOException("'" + name + "': malformed reply line");
                return sb.toString();
            }
            sb.append((char) c);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
