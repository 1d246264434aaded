package dev.ferry.resp;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The event loop of Ferry's own blocking connections (checks, subscriptions, fencing, failover, tools):
 * one thread apart from the data path's loops, so a caller that blocks never blocks a session, and daemon,
 * so a command-line tool ends when its work does. NIO: its traffic is a few commands a second.
 */
final class ControlLoop {
    private static final class Holder {
        static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("ferry-control", true), NioIoHandler.newFactory());
    }

    private ControlLoop() {}

    static EventLoopGroup group() {
        return Holder.GROUP;
    }

    static Class<? extends SocketChannel> channel() {
        return NioSocketChannel.class;
    }
}
