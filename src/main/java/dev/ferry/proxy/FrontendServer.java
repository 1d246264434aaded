package dev.ferry.proxy;

import dev.ferry.config.ConfigException;
import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
import dev.ferry.tls.ListenerTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;

/** Listens on one frontend's bind address and hands each client connection to the router. */
public final class FrontendServer implements AutoCloseable {
    private volatile FrontendConfig config;
    private final Router router;
    private final Transport transport;
    private volatile Upstream upstream;
    private final ListenerTls tls;
    private Channel listener;
    private Channel plaintextListener;

    public FrontendServer(FrontendConfig config, Router router, Transport transport) {
        this.config = config;
        this.router = router;
        this.transport = transport;
        this.upstream = new Upstream(config, router, NodeConnections.connector(config, transport));
        this.tls = ListenerTls.of(config.name(), config.tls().clients());
    }

    /** Binds; a port in use or an address not on this host becomes a {@link BindFailure} naming the frontend. */
    public void start() throws BindFailure {
        ServerBootstrap b = new ServerBootstrap()
                .group(transport.boss(), transport.workers())
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(clients(config.tls().towardClients()));
        listener = bind(b, config.bind());
        HostPort plain = config.tls().plaintextBind();
        if (plain != null) plaintextListener = bind(b.clone().childHandler(clients(false)), plain);
    }

    private ChannelInitializer<SocketChannel> clients(boolean tlsPort) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                tls.prepare(ch, tlsPort);
                ch.pipeline().addLast(new ClientSession(admitted()));
            }
        };
    }

    private Channel bind(ServerBootstrap b, HostPort at) throws BindFailure {
        try {
            return b.bind(at.host(), at.port()).sync().channel();
        } catch (Exception e) {
            close();
            throw new BindFailure("frontend '" + config.name() + "': cannot listen on " + at + ": " + BindFailure.reason(e));
        }
    }

    /**
     * A config reload: connections accepted from now on get {@code next}'s TLS certificate and, when
     * {@code newUpstream} (node TLS, timeouts, connection policy changed), an upstream of their own with
     * {@code next}'s settings and node connections; sessions already open keep theirs. Rebinding (other
     * listen addresses, TLS turned on or off) takes a new FrontendServer instead. On a TLS file mistake
     * nothing changes.
     */
    public void update(FrontendConfig next, boolean newUpstream) throws ConfigException {
        tls.update("[" + next.name() + "] tls", next.tls().clients());
        if (newUpstream) {
            Upstream old = upstream;
            upstream = new Upstream(next, router, NodeConnections.connector(next, transport));
            old.replaced();
        }
        config = next;
    }

    /** The current upstream, with the new session counted in (one replaced a moment ago may have closed down). */
    private Upstream admitted() {
        while (true) {
            Upstream u = upstream;
            if (u.admit()) return u;
        }
    }

    /** The plaintext port beside the TLS one ({@code plaintext-bind}), or null. */
    public HostPort plaintextAddress() {
        if (plaintextListener == null) return null;
        return new HostPort(config.tls().plaintextBind().host(), ((InetSocketAddress) plaintextListener.localAddress()).getPort());
    }

    /** The client side's TLS: its context and counters. */
    public ListenerTls tls() {
        return tls;
    }

    /** The address actually bound (port 0 in the config picks a free port). */
    public HostPort boundAddress() {
        InetSocketAddress a = (InetSocketAddress) listener.localAddress();
        return new HostPort(config.bind().host(), a.getPort());
    }

    public Router router() {
        return router;
    }

    public FrontendConfig config() {
        return config;
    }

    @Override
    public void close() {
        if (listener != null) listener.close().syncUninterruptibly();
        if (plaintextListener != null) plaintextListener.close().syncUninterruptibly();
    }
}
