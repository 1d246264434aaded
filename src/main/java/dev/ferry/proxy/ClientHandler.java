package dev.ferry.proxy;

import dev.ferry.config.FrontendConfig;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The client side of one session. Reads stay off until the backend is connected (so nothing is read
 * that could not be forwarded); then bytes go to the backend unchanged, flushed once per read burst.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    private final FrontendConfig config;
    private final Router router;
    private final Transport transport;
    private Channel client;
    private Session session;
    private Consumer<Router.Route> waiter;
    private ScheduledFuture<?> waitTimeout;
    private long waitDeadlineNanos;

    ClientHandler(FrontendConfig config, Router router, Transport transport) {
        this.config = config;
        this.router = router;
        this.transport = transport;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = ctx.channel();
        waitDeadlineNanos = System.nanoTime() + config.waitForMaster().toNanos();
        findMaster();
    }

    private void findMaster() {
        waiter = r -> client.eventLoop().execute(() -> connect(r));
        if (!router.routeOrWait(waiter)) {
            router.stats().waited.increment();
            router.stats().waitingNow.increment();
            long left = Math.max(0, waitDeadlineNanos - System.nanoTime());
            waitTimeout = client.eventLoop().schedule(this::giveUp, left, TimeUnit.NANOSECONDS);
        }
    }

    private void giveUp() {
        if (!router.stopWaiting(waiter)) return;
        router.stats().waitingNow.decrement();
        router.stats().waitTimeouts.increment();
        refuse(NodeConnections.noMasterKnown(config));
    }

    /** Nothing was forwarded yet: the client gets one error reply saying why, then the connection closes. */
    private void refuse(ByteBuf reply) {
        client.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
    }

    private void connect(Router.Route route) {
        if (waitTimeout != null) {
            waitTimeout.cancel(false);
            waitTimeout = null;
            router.stats().waitingNow.decrement();
        }
        if (!client.isActive()) return;
        TrafficStats nodeStats = router.nodeStats(route.node());
        NodeConnections.connect(client, route.node(), config, transport, new BackendHandler(client, router.stats(), nodeStats))
                .addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                nodeStats.connectErrors.increment();
                router.stats().connectErrors.increment();
                // Nothing was forwarded yet, so trying the next master is safe.
                if (client.isActive() && System.nanoTime() < waitDeadlineNanos) {
                    client.eventLoop().schedule(this::findMaster, 20, TimeUnit.MILLISECONDS);
                } else if (client.isActive()) {
                    refuse(NodeConnections.masterDown("cannot connect to the master " + route.node() + " for '" + config.name() + "'"));
                }
                return;
            }
            Channel backend = f.channel();
            if (!client.isActive()) {
                backend.close();
                return;
            }
            if (!router.isCurrent(route)) {
                // The master changed while connecting: nothing was sent, so go to the new one.
                backend.close();
                findMaster();
                return;
            }
            session = new Session(client, backend, route.node(), nodeStats);
            router.sessions().add(session);
            if (!router.isCurrent(route)) {
                // Changed in between: the cut may have missed this session, so do it here.
                router.sessions().remove(session);
                backend.close();
                client.close();
                return;
            }
            router.stats().sessionsTotal.increment();
            router.stats().sessionsNow.increment();
            nodeStats.sessionsTotal.increment();
            nodeStats.sessionsNow.increment();
            backend.pipeline().get(BackendHandler.class).attach(session);
            backend.config().setAutoRead(true);
            session.updateClientReads();
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (session == null) {
            // Reads are off until a backend is attached, so this should not happen; if it does, the
            // client must see its bytes were not sent rather than wait for a reply that never comes.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        int n = ((ByteBuf) msg).readableBytes();
        router.stats().bytesFromClients.add(n);
        session.nodeStats.bytesFromClients.add(n);
        session.backend.write(msg, session.backend.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (session != null) session.backend.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (session != null) session.backend.config().setAutoRead(client.isWritable());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (waiter != null && waitTimeout != null && router.stopWaiting(waiter)) {
            waitTimeout.cancel(false);
            router.stats().waitingNow.decrement();
        }
        if (session != null) {
            router.sessions().remove(session);
            router.stats().sessionsNow.decrement();
            session.nodeStats.sessionsNow.decrement();
            NodeConnections.flushAndClose(session.backend);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
