package dev.ferry.proxy;

import dev.ferry.config.FrontendConfig;
import dev.ferry.tls.ClientTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import java.nio.charset.StandardCharsets;

/** How Ferry opens node connections, and the replies and closes the data path shares. */
final class NodeConnections {
    private NodeConnections() {}

    /**
     * Connects on the caller's event loop (a session and its node connections on one thread, no
     * hand-off), TCP_NODELAY and keepalive, reads off until the link has set itself up; TLS to the node
     * (its certificate checked to name it) when the frontend has node-tls.
     */
    static LinkConnector connector(FrontendConfig config, Transport transport) {
        int timeout = (int) config.check().timeout().toMillis() * 2;
        return (loop, node, handler) -> new Bootstrap()
                .group(loop)
                .channel(transport.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.AUTO_READ, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeout)
                .handler(ClientTls.around(config.tls().nodes(), node, handler))
                .connect(node.host(), node.port());
    }

    /** The error reply for a command that waited wait-for-master for a master in vain. */
    static ByteBuf noMasterKnown(FrontendConfig config) {
        if (config.readsFromReplicas()) {
            return masterDown("no replica of '" + config.name() + "' qualifies after " + config.waitForMaster().toMillis() + " ms"
                    + " (replica-fallback: " + config.replicaReads().get().fallback().key() + ")");
        }
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
