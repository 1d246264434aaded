package dev.ferry.proxy;

import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;

/** Listens on one frontend's bind address and hands each client connection to the router. */
public final class FrontendServer implements AutoCloseable {
    private final FrontendConfig config;
    private final Router router;
    private final Transport transport;
    private final Upstream upstream;
    private Channel listener;

    public FrontendServer(FrontendConfig config, Router router, Transport transport) {
        this.config = config;
        this.router = router;
        this.transport = transport;
        this.upstream = new Upstream(config, router, NodeConnections.connector(config, transport));
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
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ClientSession(upstream));
                    }
                });
        try {
            listener = b.bind(config.bind().host(), config.bind().port()).sync().channel();
        } catch (Exception e) {
            throw new BindFailure("frontend '" + config.name() + "': cannot listen on " + config.bind() + ": " + BindFailure.reason(e));
        }
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
    }
}
