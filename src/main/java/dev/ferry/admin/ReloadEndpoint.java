package dev.ferry.admin;

import dev.ferry.Reloader;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * {@code POST /reload}: Ferry reads its configuration file again (as on SIGHUP) and answers what changed
 * (200) or why the file was refused (422, the running configuration stays). Runs off the event loop: a
 * reload binds and closes listeners, this one's too when the admin settings changed (after answering).
 */
final class ReloadEndpoint implements AutoCloseable {
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ferry-admin-reload");
        t.setDaemon(true);
        return t;
    });
    private volatile Function<String, Reloader.Outcome> reload;

    void use(Function<String, Reloader.Outcome> reload) {
        this.reload = reload;
    }

    void handle(ChannelHandlerContext ctx) {
        Function<String, Reloader.Outcome> r = reload;
        if (r == null) {
            reply(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "this Ferry was not started from a configuration file (ferry run --config): nothing to reload\n");
            return;
        }
        worker.execute(() -> {
            Reloader.Outcome o = r.apply("POST /reload from " + ctx.channel().remoteAddress());
            reply(ctx, o.applied() ? HttpResponseStatus.OK : HttpResponseStatus.UNPROCESSABLE_ENTITY, o.summary() + "\n")
                    .awaitUninterruptibly(2000);
            o.afterwards().run();
        });
    }

    private static io.netty.channel.ChannelFuture reply(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(b));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void close() {
        worker.shutdown();
    }
}
