package dev.ferry.resp;

import dev.ferry.config.Credentials;
import dev.ferry.config.HostPort;
import dev.ferry.tls.HandshakeFailure;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.concurrent.Future;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * One connection to a Redis node or Sentinel that its owner uses in turn, command and reply, for probes
 * and tools (not the data path). It is a Netty channel on the {@link ControlLoop}, opened by the same
 * {@link Connector#connect} as the data path's, so TLS and socket options are set up in one place; this
 * class only waits. Not thread-safe: one owner at a time.
 */
public final class RedisLink implements Closeable {
    private final HostPort address;
    private final Channel channel;
    private final ReplyQueue replies;
    private final Duration timeout;

    private RedisLink(HostPort address, Channel channel, ReplyQueue replies, Duration timeout) {
        this.address = address;
        this.channel = channel;
        this.replies = replies;
        this.timeout = timeout;
    }

    /** A plaintext connection; see {@link #open(HostPort, Connector, String)}. */
    public static RedisLink open(HostPort address, Credentials auth, Duration timeout, String clientName)
            throws IOException, RedisException {
        return open(address, Connector.plaintext(auth, timeout), clientName);
    }

    /**
     * Connects within the connector's timeout, runs TLS when it has a TLS setting (the server's name
     * checked unless turned off), authenticates when it has credentials, and names the connection so
     * operators can tell Ferry's probes apart in {@code CLIENT LIST}. Failures are the JDK's: a refused
     * connection a {@link java.net.ConnectException}, no answer in time a {@link SocketTimeoutException},
     * a failed handshake an {@link SSLException} saying why.
     */
    public static RedisLink open(HostPort address, Connector connector, String clientName) throws IOException, RedisException {
        Duration timeout = connector.timeout();
        ReplyQueue replies = new ReplyQueue();
        ChannelFuture connect;
        try {
            connect = connector.connect(ControlLoop.group(), ControlLoop.channel(), address, replies);
        } catch (IllegalStateException e) { // its TLS files no longer check out
            throw new SSLException("TLS: " + e.getMessage());
        }
        RedisLink link = new RedisLink(address, connect.channel(), replies, timeout);
        try {
            link.await(connect, "connect timed out");
            if (!connect.isSuccess()) throw connectFailure(address, connect.cause());
            if (connector.tls() != null) link.awaitHandshake();
            Credentials auth = connector.auth();
            if (auth.present()) {
                Object r = auth.user() == null ? link.call("AUTH", auth.password()) : link.call("AUTH", auth.user(), auth.password());
                if (r instanceof ErrorReply e) throw new RedisException(address + ": AUTH refused (" + e.code() + ")");
            }
            if (clientName != null) link.call("CLIENT", "SETNAME", clientName);
            return link;
        } catch (IOException | RedisException | RuntimeException e) {
            link.close();
            throw e;
        }
    }

    private void await(Future<?> f, String whenLate) throws IOException {
        try {
            if (!f.await(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) throw new SocketTimeoutException(whenLate);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting to " + address);
        }
    }

    private void awaitHandshake() throws IOException {
        try {
            replies.handshake.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("TLS handshake timed out");
        } catch (ExecutionException e) {
            throw new SSLException("TLS: " + HandshakeFailure.describe(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted during the TLS handshake with " + address);
        }
    }

    private static IOException connectFailure(HostPort address, Throwable cause) {
        if (cause instanceof ConnectTimeoutException) return new SocketTimeoutException("connect timed out");
        if (cause instanceof UnresolvedAddressException) return new UnknownHostException(address.host());
        if (cause instanceof IOException io) return io;
        return new IOException(cause.toString(), cause);
    }

    public HostPort address() {
        return address;
    }

    /** Sends one command and returns its reply; error replies are returned, not thrown. */
    public Object call(String... args) throws IOException {
        send(args);
        return read();
    }

    /** Queues one command; what a closed connection could not send shows as the next {@link #read}'s failure. */
    public void send(String... args) {
        channel.writeAndFlush(Unpooled.wrappedBuffer(RespWriter.command(args)), channel.voidPromise());
    }

    /** The next reply, within the connector's timeout. */
    public Object read() throws IOException {
        return read(timeout);
    }

    /** Reads with a different timeout (0 = wait for ever), e.g. for pub/sub or a blocking command. */
    public Object read(Duration wait) throws IOException {
        try {
            return replies.next(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + address);
        }
    }

    public boolean isTimeout(IOException e) {
        return e instanceof SocketTimeoutException;
    }

    /** Closes and waits (briefly) until the server's side can see it. */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    }
}
