package dev.ferry.proxy;

import dev.ferry.config.HostPort;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;

/** Opens a node connection on an event loop with the given handler; a seam for tests on EmbeddedChannel. */
interface LinkConnector {
    ChannelFuture connect(EventLoop loop, HostPort node, NodeLink handler);
}
