package dev.ferry.resp;

import dev.ferry.config.Credentials;
import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
import dev.ferry.config.TlsClientConfig;
import dev.ferry.tls.ClientTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * How Ferry reaches one kind of server (a frontend's nodes, or its Sentinels): AUTH, TLS and the timeout.
 * Every connection Ferry opens to Redis or a Sentinel is made by {@link #connect}: the data path's node
 * connections (which set up their own login) and, through {@link RedisLink}, the checks, subscriptions,
 * fencing, failover and tools.
 *
 * @param tls null: plaintext
 */
public record Connector(Credentials auth, TlsClientConfig tls, Duration timeout) {

    public static Connector plaintext(Credentials auth, Duration timeout) {
        return new Connector(auth, null, timeout);
    }

    /** To a frontend's Redis nodes: its password and node TLS, its check timeout. */
    public static Connector toNodes(FrontendConfig c) {
        return new Connector(c.redisAuth(), c.tls().nodes(), c.check().timeout());
    }

    /** To a frontend's Sentinels: its Sentinel password and Sentinel TLS, its check timeout. */
    public static Connector toSentinels(FrontendConfig c) {
        return new Connector(c.sentinelAuth(), c.tls().sentinels(), c.check().timeout());
    }

    /** The same TLS and timeout, no AUTH (for a caller that pipelines its own AUTH). */
    public Connector withoutAuth() {
        return new Connector(Credentials.NONE, tls, timeout);
    }

    public Connector withTimeout(Duration t) {
        return new Connector(auth, tls, t);
    }

    /**
     * Opens a connection on {@code loop}: TCP_NODELAY and keepalive, the connect timeout, and TLS to
     * {@code server} (its certificate checked to name it, unless the setting says not to) in front of
     * {@code handler} when this connector has a TLS setting. AUTH is the caller's: see {@link RedisLink}.
     */
    public ChannelFuture connect(EventLoopGroup loop, Class<? extends Channel> channel, HostPort server, ChannelHandler handler) {
        return new Bootstrap()
                .group(loop)
                .channel(channel)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()))
                .handler(ClientTls.around(tls, server, handler))
                .connect(new InetSocketAddress(server.host(), server.port()));
    }

    /** Connects (TLS when set), authenticates and names the connection; see {@link RedisLink#open(HostPort, Connector, String)}. */
    public RedisLink open(HostPort address, String clientName) throws IOException, RedisException {
        return RedisLink.open(address, this, clientName);
    }
}
