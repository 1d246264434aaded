package dev.ferry.proxy;

import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
import dev.ferry.tls.ClientTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import java.nio.charset.StandardCharsets;

/** What both kinds of client session (tcp and redis mode) do the same way with node connections. */
final class NodeConnections {
    private NodeConnections() {}

    /**
     * Connects to a node for a client: on the client's event loop (both sides of a session on one
     * thread, no hand-off), TCP_NODELAY and keepalive, reads off until the session is attached.
     */
    static ChannelFuture connect(Channel client, HostPort node, FrontendConfig config, Transport transport, ChannelHandler handler) {
        return new Bootstrap()
                .group(client.eventLoop())
                .channel(transport.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.check().timeout().toMillis() * 2)
                .handler(ClientTls.around(config.tls().nodes(), node, handler))
                .connect(node.host(), node.port());
    }

    /** The error reply for a command (tcp mode: a connection) that waited wait-for-master for a master in vain. */
    static ByteBuf noMasterKnown(FrontendConfig config) {
        return masterDown("no master known for '" + config.name() + "' after " + config.waitForMaster().toMillis() + " ms");
    }

    static ByteBuf masterDown(String why) {
        return Unpooled.copiedBuffer("-MASTERDOWN Ferry: " + why + "\r\n", StandardCharsets.US_ASCII);
    }

    /** Closes after whatever was written to the channel has been flushed. */
    static void flushAndClose(Channel ch) {
        if (ch.isActive()) ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
}
