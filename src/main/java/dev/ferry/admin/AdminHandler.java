package dev.ferry.admin;

import dev.ferry.admin.StatsModel.FrontendView;
import dev.ferry.config.AdminConfig;
import dev.ferry.config.HostPort;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes admin requests: basic auth first (except {@code /health} unless {@code health-auth}), then
 * path, then method. Each endpoint names the methods it takes; {@code POST /failover} (a planned
 * failover, see {@link FailoverEndpoint}) is the one that changes anything, and {@link ActionGuard}
 * says who may ask for it.
 */
@Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final Set<HttpMethod> READ = Set.of(HttpMethod.GET, HttpMethod.HEAD);
    private static final String HTML = "text/html; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";
    // The page is self-contained: inline styles, no scripts, nothing fetched from anywhere.
    private static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /** What an endpoint answers; {@code header} is one extra response header (Location, Allow...) or null. */
    record Reply(HttpResponseStatus status, String contentType, String body, CharSequence header, String headerValue) {
        Reply(HttpResponseStatus status, String contentType, String body) {
            this(status, contentType, body, null, null);
        }
    }

    private record Endpoint(Set<HttpMethod> methods, Supplier<Reply> handler) {}

    /** What {@code /health} says while this instance stops: out of service, whatever the master. */
    static final Reply DRAINING = new Reply(HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT, "draining: this instance is stopping\n");

    private final AdminConfig config;
    private final BasicAuth auth;
    private final Map<String, Endpoint> endpoints;

    private final FailoverEndpoint failover;
    private final ReloadEndpoint reload;

    AdminHandler(AdminConfig config, Supplier<StatsModel> model, FerryMetrics metrics, FailoverEndpoint failover, ReloadEndpoint reload,
            BooleanSupplier draining) {
        this.config = config;
        this.failover = failover;
        this.reload = reload;
        this.auth = config.authRequired() ? new BasicAuth(config.user(), config.password()) : null;
        Endpoint csv = new Endpoint(READ, () -> new Reply(HttpResponseStatus.OK, "text/csv; charset=utf-8", StatsCsv.render(model.get())));
        this.endpoints = Map.of(
                "/", new Endpoint(READ, () -> new Reply(HttpResponseStatus.FOUND, TEXT, "see /stats\n", HttpHeaderNames.LOCATION, "/stats")),
                "/stats", new Endpoint(READ, () -> new Reply(HttpResponseStatus.OK, HTML, StatsPage.render(model.get()))),
                "/stats.json", new Endpoint(READ, () -> new Reply(HttpResponseStatus.OK, "application/json", StatsJson.render(model.get()))),
                "/stats.csv", csv,
                "/stats;csv", csv,
                "/metrics", new Endpoint(READ, () -> new Reply(HttpResponseStatus.OK, FerryMetrics.CONTENT_TYPE, metrics.scrape())),
                "/health", new Endpoint(READ, () -> draining.getAsBoolean() ? DRAINING : health(model.get())));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            write(ctx, req, new Reply(HttpResponseStatus.BAD_REQUEST, TEXT, "bad request\n"));
            return;
        }
        String path = path(req.uri());
        boolean open = path.equals("/health") && !config.healthNeedsAuth();
        if (auth != null && !open && !auth.accepts(req.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            write(ctx, req, new Reply(HttpResponseStatus.UNAUTHORIZED, TEXT, "credentials required\n",
                    HttpHeaderNames.WWW_AUTHENTICATE, BasicAuth.CHALLENGE));
            return;
        }
        if (path.equals("/failover") || path.equals("/reload")) {
            String refusal = ActionGuard.refusal(config, req);
            if (!req.method().equals(HttpMethod.POST)) {
                write(ctx, req, new Reply(HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT, req.method() + " is not allowed on " + path
                        + " (allowed: POST)\n", HttpHeaderNames.ALLOW, "POST"));
            } else if (refusal != null) {
                log.warn("admin: POST {} from {} refused: {}", path, ctx.channel().remoteAddress(), refusal.strip());
                write(ctx, req, new Reply(HttpResponseStatus.FORBIDDEN, TEXT, refusal.replace("POST /failover", "POST " + path)));
            } else if (path.equals("/failover")) {
                failover.handle(ctx, req.uri());
            } else {
                reload.handle(ctx);
            }
            return;
        }
        Endpoint e = endpoints.get(path);
        if (e == null) {
            write(ctx, req, new Reply(HttpResponseStatus.NOT_FOUND, TEXT,
                    "not found: try /stats, /stats.json, /stats.csv, /metrics or /health\n"));
        } else if (!e.methods().contains(req.method())) {
            String allow = e.methods().stream().map(HttpMethod::name).sorted().collect(Collectors.joining(", "));
            write(ctx, req, new Reply(HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT, req.method() + " is not allowed on " + path
                    + " (allowed: " + allow + ")\n", HttpHeaderNames.ALLOW, allow));
        } else {
            write(ctx, req, answer(path, e));
        }
    }

    private static Reply answer(String path, Endpoint e) {
        try {
            return e.handler().get();
        } catch (RuntimeException x) {
            log.warn("admin: {} failed: {}", path, x.toString());
            return new Reply(HttpResponseStatus.INTERNAL_SERVER_ERROR, TEXT, "internal error: " + x.getClass().getSimpleName() + "\n");
        }
    }

    /**
     * 200 "ok: ..." when every frontend serves: a master frontend has a master, a replica frontend a replica
     * (or the master to fall back to); else 503 naming those that do not and why.
     */
    static Reply health(StatsModel m) {
        List<FrontendView> missing = m.frontends().stream().filter(f -> !f.serving()).toList();
        if (missing.isEmpty()) {
            String ok = m.frontends().stream().map(AdminHandler::serving).collect(Collectors.joining("; "));
            return new Reply(HttpResponseStatus.OK, TEXT, "ok: " + ok + "\n");
        }
        String none = missing.stream().map(f -> f.name() + " (" + (f.replicas().enabled() && f.hasMaster()
                ? "no replica qualifies; replica-fallback: " + f.replicas().fallback() : f.reason()) + ")").collect(Collectors.joining("; "));
        boolean masters = missing.stream().noneMatch(f -> f.replicas().enabled());
        return new Reply(HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT, (masters ? "no master: " : "not serving: ") + none + "\n");
    }

    private static String serving(FrontendView f) {
        if (!f.replicas().enabled()) return f.name() + " master " + f.master();
        List<HostPort> in = f.replicas().in();
        return f.name() + (in.isEmpty() ? " reads from the master " + f.master() + " (no replica qualifies)" : " reads from replicas " + in);
    }

    private static void write(ChannelHandlerContext ctx, FullHttpRequest req, Reply reply) {
        byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
        // HEAD: the headers GET would send, no body.
        ByteBuf content = req.method().equals(HttpMethod.HEAD) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(), content);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        r.headers().set("X-Content-Type-Options", "nosniff");
        r.headers().set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CSP);
        r.headers().set("Referrer-Policy", "no-referrer");
        if (reply.header() != null) r.headers().set(reply.header(), reply.headerValue());
        boolean keepAlive = HttpUtil.isKeepAlive(req) && req.decoderResult().isSuccess();
        if (keepAlive) {
            if (!req.protocolVersion().isKeepAliveDefault()) r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r);
        } else {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static String path(String uri) {
        int end = uri.length();
        int q = uri.indexOf('?');
        if (q >= 0) end = q;
        int h = uri.indexOf('#');
        if (h >= 0 && h < end) end = h;
        String p = uri.substring(0, end);
        return p.isEmpty() ? "/" : p;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
