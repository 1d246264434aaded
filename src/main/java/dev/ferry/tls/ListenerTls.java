package dev.ferry.tls;

import dev.ferry.config.ConfigException;
import dev.ferry.config.TlsServerConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a frontend's client connections meet first. On its TLS port: TLS (and a plaintext client gets
 * an error it can read, then the connection closes). On a plaintext port: a TLS client is told apart by
 * its first byte and closed with a log line, since it could not read a plaintext error. Either handler
 * leaves the pipeline after the first bytes, so the data path beyond it sees plain RESP either way.
 */
public final class ListenerTls {
    private static final Logger log = LoggerFactory.getLogger(ListenerTls.class);
    /** The first byte of every TLS record that opens a connection (a handshake record). */
    private static final int TLS_HANDSHAKE = 0x16;

    private final String frontend;
    private volatile ServerTls tls;
    private final TlsCounters counters = new TlsCounters();
    private final RateLimitedLog plaintextOnTls = new RateLimitedLog(log);
    private final RateLimitedLog tlsOnPlaintext = new RateLimitedLog(log);
    private final RateLimitedLog failures = new RateLimitedLog(log);

    private ListenerTls(String frontend, ServerTls tls) {
        this.frontend = frontend;
        this.tls = tls;
    }

    /** A frontend's listeners: {@code config} null means plaintext only. {@code name} prefixes messages about the files. */
    public static ListenerTls load(String frontend, String name, TlsServerConfig config) throws ConfigException {
        return new ListenerTls(frontend, config == null ? null : ServerTls.load(name, config));
    }

    /** As {@link #load}, for a caller that cannot throw: the configuration was checked moments before. */
    public static ListenerTls of(String frontend, TlsServerConfig config) {
        try {
            return load(frontend, "[" + frontend + "] tls", config);
        } catch (ConfigException e) {
            throw new IllegalStateException(e.getMessage());
        }
    }

    /** Puts the first handler on a new client connection: TLS on the TLS port, the TLS-client check on a plaintext one. */
    public void prepare(Channel client, boolean tlsPort) {
        ServerTls now = tls;
        if (tlsPort && now != null) {
            client.pipeline().addFirst("tls", new TlsPort(now.context()));
        } else {
            client.pipeline().addFirst("tls-check", new PlaintextPort());
        }
    }

    /** New TLS settings for connections accepted from now on (a config reload); connections already open keep theirs. */
    public void update(String name, TlsServerConfig config) throws ConfigException {
        tls = config == null ? null : ServerTls.load(name, config);
    }

    public TlsCounters counters() {
        return counters;
    }

    /** The TLS port's context (null: none), for reloads and the stats page. */
    public ServerTls server() {
        return tls;
    }

    /** Netty's detector: TLS bytes get the SslHandler made at accept, anything else the plaintext answer. */
    private final class TlsPort extends OptionalSslHandler {
        /** The context in force at accept, so a reload never splits one connection. */
        TlsPort(SslContext context) {
            super(context);
        }

        @Override
        protected SslHandler newSslHandler(ChannelHandlerContext ctx, SslContext context) {
            SslHandler handler = super.newSslHandler(ctx, context);
            handler.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    counters.handshakes.increment();
                } else {
                    counters.handshakeFailures.increment();
                    failures.warn("[" + frontend + "] TLS handshake with client " + ctx.channel().remoteAddress() + " failed: "
                            + HandshakeFailure.describe(f.cause()));
                }
            });
            return handler;
        }

        @Override
        protected ChannelHandler newNonSslHandler(ChannelHandlerContext ctx) {
            counters.plaintextOnTlsPort.increment();
            plaintextOnTls.warn("[" + frontend + "] plaintext client " + ctx.channel().remoteAddress()
                    + " on the TLS port: answered -ERR and closed");
            return new PlaintextAnswer();
        }
    }

    /** Says, in RESP, that this port wants TLS; then closes. */
    private static final class PlaintextAnswer extends ChannelInboundHandlerAdapter {
        private static final byte[] ERROR = "-ERR Ferry: this port speaks TLS; connect with TLS (redis-cli --tls)\r\n"
                .getBytes(StandardCharsets.US_ASCII);

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(ERROR)).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ((ByteBuf) msg).release();
        }
    }

    /** Lets plaintext through untouched from the first byte on; closes a connection that opens with a TLS handshake. */
    private final class PlaintextPort extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (in.getUnsignedByte(in.readerIndex()) == TLS_HANDSHAKE) {
                in.skipBytes(in.readableBytes());
                counters.tlsOnPlaintextPort.increment();
                tlsOnPlaintext.warn("[" + frontend + "] TLS client " + ctx.channel().remoteAddress()
                        + " on a plaintext port: closed (connect to the tls: port, or without TLS)");
                ctx.close();
                return;
            }
            ctx.pipeline().remove(this);
        }
    }
}
