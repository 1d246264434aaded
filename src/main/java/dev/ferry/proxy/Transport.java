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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * The event loops every frontend shares (one boss, one worker per core) and their native transport:
 * io_uring where the kernel allows it (it measured ~20% less CPU per request than epoll at -P 1, see
 * docs/BENCHMARKS.md), else epoll, else NIO; {@code FERRY_TRANSPORT=epoll} (or {@code nio}) picks another.
 */
public final class Transport implements AutoCloseable {
    enum Kind { EPOLL, IO_URING, NIO }

    private final Kind kind;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;

    public Transport(int workerThreads) {
        this(workerThreads, System.getenv("FERRY_TRANSPORT"));
    }

    Transport(int workerThreads, String asked) {
        this.kind = choose(asked);
        IoHandlerFactory factory = switch (kind) {
            case EPOLL -> EpollIoHandler.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
        this.boss = new MultiThreadIoEventLoopGroup(1, factory);
        this.workers = new MultiThreadIoEventLoopGroup(workerThreads, factory);
    }

    private static Kind choose(String asked) {
        String a = asked == null ? "" : asked.trim().toLowerCase(Locale.ROOT);
        if (!a.equals("epoll") && !a.equals("nio") && IoUring.isAvailable()) return Kind.IO_URING;
        if (!a.equals("nio") && Epoll.isAvailable()) return Kind.EPOLL;
        return Kind.NIO;
    }

    /** One event loop per core, or {@code -Dferry.event-loops=N}. */
    public static Transport forThisMachine() {
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        String asked = System.getProperty("ferry.event-loops");
        if (asked == null) return new Transport(cores);
        try {
            int n = Integer.parseInt(asked.trim());
            if (n >= 1) return new Transport(n);
        } catch (NumberFormatException e) {
            // said below
        }
        LoggerFactory.getLogger(Transport.class).warn("-Dferry.event-loops={} is not a positive whole number: one event loop per core ({})", asked, cores);
        return new Transport(cores);
    }

    public String name() {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    public EventLoopGroup boss() {
        return boss;
    }

    public EventLoopGroup workers() {
        return workers;
    }

    public Class<? extends ServerChannel> serverChannel() {
        return switch (kind) {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    public Class<? extends SocketChannel> clientChannel() {
        return switch (kind) {
            case EPOLL -> EpollSocketChannel.class;
            case IO_URING -> IoUringSocketChannel.class;
            case NIO -> NioSocketChannel.class;
        };
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
