package dev.ferry.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The replies of one {@link RedisLink}, decoded on the event loop and taken in order by its owner's thread.
 * After them, how the connection ended: closed by the server (EOFException), broken (SocketException), or
 * bytes that are not RESP; every later read fails the same way. Also how its TLS handshake ended, if it runs
 * TLS (told by the TLS handler's event, which still arrives when the handler has left a closed channel).
 */
final class ReplyQueue extends ByteToMessageDecoder {
    private static final Object NULL = new Object();

    private record Ended(IOException why) {}

    private final BlockingQueue<Object> replies = new LinkedBlockingQueue<>();
    private volatile Ended ended;
    final CompletableFuture<Void> handshake = new CompletableFuture<>();

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (ended != null) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            int end;
            while (in.isReadable() && (end = ReplyFrames.end(in, in.readerIndex())) >= 0) {
                ByteBuf one = in.readSlice(end - in.readerIndex());
                Object reply = new RespReader(new ByteBufInputStream(one)).read();
                replies.add(reply == null ? NULL : reply);
            }
        } catch (IOException e) {
            in.skipBytes(in.readableBytes());
            end(new IOException(e.getMessage()));
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e) {
            if (e.isSuccess()) handshake.complete(null);
            else handshake.completeExceptionally(e.cause());
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        handshake.completeExceptionally(new ClosedChannelException());
        end(new EOFException("connection closed by the server"));
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        end(cause instanceof SocketException s ? s : new SocketException(String.valueOf(cause.getMessage())));
        ctx.close();
    }

    /** The first ending counts: a reset is followed by a close, which says less. */
    private void end(IOException why) {
        if (ended != null) return;
        ended = new Ended(why);
        replies.add(ended);
    }

    Object next(Duration wait) throws IOException, InterruptedException {
        Object r = wait.isZero() ? replies.take() : replies.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) throw new SocketTimeoutException("Read timed out");
        if (r instanceof Ended e) {
            replies.add(e);
            throw e.why();
        }
        return r == NULL ? null : r;
    }
}
