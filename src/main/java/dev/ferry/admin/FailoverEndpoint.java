package dev.ferry.admin;

import dev.ferry.Ferry;
import dev.ferry.config.HostPort;
import dev.ferry.failover.FailoverFailed;
import dev.ferry.failover.FailoverRefused;
import dev.ferry.failover.FailoverReport;
import dev.ferry.failover.PlannedFailover;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code POST /failover?frontend=NAME[&to=HOST:PORT]}: a planned failover done inside this Ferry, so client
 * traffic is held at the proxy. It takes seconds, so it runs on a thread of its own, one at a time;
 * the answer is the report (200), a refusal (409) or a failure after rollback (500).
 */
final class FailoverEndpoint implements AutoCloseable {
    private final Ferry ferry;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ferry-planned-failover");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean running = new AtomicBoolean();

    FailoverEndpoint(Ferry ferry) {
        this.ferry = ferry;
    }

    void handle(ChannelHandlerContext ctx, String uri) {
        QueryStringDecoder q = new QueryStringDecoder(uri);
        Optional<Ferry.Frontend> fr;
        Optional<HostPort> to;
        try {
            fr = frontend(q.parameters().get("frontend"));
            List<String> t = q.parameters().get("to");
            to = t == null || t.isEmpty() ? Optional.empty() : Optional.of(HostPort.parse(t.get(0)));
        } catch (IllegalArgumentException e) {
            reply(ctx, HttpResponseStatus.BAD_REQUEST, e.getMessage());
            return;
        }
        if (fr.isEmpty()) {
            reply(ctx, HttpResponseStatus.BAD_REQUEST, "name the frontend: frontend=NAME (known: "
                    + ferry.frontends().stream().map(f -> f.config().name()).toList() + ")");
            return;
        }
        if (!running.compareAndSet(false, true)) {
            reply(ctx, HttpResponseStatus.CONFLICT, "a planned failover is already running on this Ferry");
            return;
        }
        // The switch may take a minute (Sentinels read priorities every 10 s): no idle cut meanwhile.
        if (ctx.pipeline().get(ReadTimeoutHandler.class) != null) ctx.pipeline().remove(ReadTimeoutHandler.class);
        Ferry.Frontend f = fr.get();
        worker.execute(() -> {
            try {
                FailoverReport r = new PlannedFailover(f.config(), Optional.of(f.topology()), Optional.of(f.router())).run(to);
                reply(ctx, r.converged() ? HttpResponseStatus.OK : HttpResponseStatus.INTERNAL_SERVER_ERROR, r.render());
            } catch (FailoverRefused e) {
                reply(ctx, HttpResponseStatus.CONFLICT, e.getMessage());
            } catch (FailoverFailed e) {
                reply(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "failover failed: " + e.getMessage());
            } catch (RuntimeException e) {
                reply(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "failover failed: " + e);
            } finally {
                running.set(false);
            }
        });
    }

    private Optional<Ferry.Frontend> frontend(List<String> names) {
        if (names == null || names.isEmpty()) {
            return ferry.frontends().size() == 1 ? Optional.of(ferry.frontends().get(0)) : Optional.empty();
        }
        return ferry.frontend(names.get(0));
    }

    private static void reply(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        byte[] b = (body.endsWith("\n") ? body : body + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(b));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
