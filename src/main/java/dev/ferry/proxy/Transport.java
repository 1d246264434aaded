package dev.ferry.proxy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.TimeUnit;

/** Native epoll on Linux, NIO elsewhere; one boss and one worker group shared by every frontend. */
public final class Transport implements AutoCloseable {
    private final boolean epoll;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;

    public Transport(int workerThreads) {
        this.epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.boss = new MultiThreadIoEventLoopGroup(1, factory);
        this.workers = new MultiThreadIoEventLoopGroup(workerThreads, factory);
    }

    public static Transport forThisMachine() {
        return new Transport(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public String name() {
        return epoll ? "epoll" : "nio";
    }

    public EventLoopGroup boss() {
        return boss;
    }

    public EventLoopGroup workers() {
        return workers;
    }

    public Class<? extends ServerChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends SocketChannel> clientChannel() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** Bounded: inside a JVM shutdown hook an event loop may never confirm, and a stop must not hang. */
    @Override
    public void close() {
        var b = boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        var w = workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        b.awaitUninterruptibly(3, TimeUnit.SECONDS);
        w.awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
