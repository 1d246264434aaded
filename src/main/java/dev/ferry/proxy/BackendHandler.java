package dev.ferry.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** The node side of one session: replies go to the client unchanged, flushed once per read burst. */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private final Channel client;
    private final TrafficStats frontendStats;
    private final TrafficStats nodeStats;
    private Session session;

    BackendHandler(Channel client, TrafficStats frontendStats, TrafficStats nodeStats) {
        this.client = client;
        this.frontendStats = frontendStats;
        this.nodeStats = nodeStats;
    }

    void attach(Session s) {
        this.session = s;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        int n = ((ByteBuf) msg).readableBytes();
        frontendStats.bytesToClients.add(n);
        nodeStats.bytesToClients.add(n);
        client.write(msg, client.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        client.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (session != null) session.updateClientReads();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        NodeConnections.flushAndClose(client);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
