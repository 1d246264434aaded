package dev.ferry.proxy;

import dev.ferry.config.FrontendConfig;
import dev.ferry.resp.Connector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.nio.charset.StandardCharsets;

/** How Ferry opens node connections, and the replies and closes the data path shares. */
final class NodeConnections {
    private NodeConnections() {}

    /**
     * Connects on the caller's event loop (a session and its node connections on one thread, no
     * hand-off) with the frontend's node {@link Connector}: TLS to the node when it has node-tls, the
     * connect timeout twice the check's. The link sets up its own login.
     */
    static LinkConnector connector(FrontendConfig config, Transport transport) {
        Connector nodes = Connector.toNodes(config).withoutAuth().withTimeout(config.check().timeout().multipliedBy(2));
        return (loop, node, handler) -> nodes.connect(loop, transport.clientChannel(), node, handler);
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
