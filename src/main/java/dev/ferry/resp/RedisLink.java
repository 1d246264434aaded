package dev.ferry.resp;

import dev.ferry.config.Credentials;
import dev.ferry.config.HostPort;
import dev.ferry.tls.ClientTls;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * One blocking connection to a Redis node or Sentinel, for probes and tools (not the data path).
 * Not thread-safe: one owner at a time.
 */
public final class RedisLink implements Closeable {
    private final HostPort address;
    private final Socket socket;
    private final RespReader reader;
    private final OutputStream out;

    private RedisLink(HostPort address, Socket socket) throws IOException {
        this.address = address;
        this.socket = socket;
        this.reader = new RespReader(new BufferedInputStream(socket.getInputStream(), 8192));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 1024);
    }

    /** A plaintext connection; see {@link #open(HostPort, Connector, String)}. */
    public static RedisLink open(HostPort address, Credentials auth, Duration timeout, String clientName)
            throws IOException, RedisException {
        return open(address, Connector.plaintext(auth, timeout), clientName);
    }

    /**
     * Connects within the connector's timeout, runs TLS when it has a TLS setting (the server's name
     * checked unless turned off), authenticates when it has credentials, and names the connection so
     * operators can tell Ferry's probes apart in {@code CLIENT LIST}. Every blocking connection Ferry
     * opens to Redis or a Sentinel comes through here.
     */
    public static RedisLink open(HostPort address, Connector connector, String clientName) throws IOException, RedisException {
        Duration timeout = connector.timeout();
        Credentials auth = connector.auth();
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.connect(new InetSocketAddress(address.host(), address.port()), (int) Math.max(1, timeout.toMillis()));
            s.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            if (connector.tls() != null) s = tls(connector, s, address);
            RedisLink link = new RedisLink(address, s);
            if (auth.present()) {
                Object r = auth.user() == null ? link.call("AUTH", auth.password()) : link.call("AUTH", auth.user(), auth.password());
                if (r instanceof ErrorReply e) throw new RedisException(address + ": AUTH refused (" + e.code() + ")");
            }
            if (clientName != null) link.call("CLIENT", "SETNAME", clientName);
            return link;
        } catch (IOException | RedisException | RuntimeException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing after a failed connect: nothing more to say
            }
            throw e;
        }
    }

    private static Socket tls(Connector connector, Socket plain, HostPort address) throws IOException {
        ClientTls tls;
        try {
            tls = ClientTls.of(connector.tls());
        } catch (IllegalStateException e) {
            throw new SSLException("TLS: " + e.getMessage());
        }
        return tls.wrap(plain, address);
    }

    public HostPort address() {
        return address;
    }

    /** Sends one command and returns its reply; error replies are returned, not thrown. */
    public Object call(String... args) throws IOException {
        send(args);
        return read();
    }

    public void send(String... args) throws IOException {
        out.write(RespWriter.command(args));
        out.flush();
    }

    public Object read() throws IOException {
        return reader.read();
    }

    /** Reads with a different timeout (0 = wait for ever), e.g. for pub/sub or a blocking command. */
    public Object read(Duration timeout) throws IOException {
        int before = socket.getSoTimeout();
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            return reader.read();
        } finally {
            if (!socket.isClosed()) socket.setSoTimeout(before);
        }
    }

    public boolean isTimeout(IOException e) {
        return e instanceof SocketTimeoutException;
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
