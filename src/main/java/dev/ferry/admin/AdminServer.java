package dev.ferry.admin;

import dev.ferry.Ferry;
import dev.ferry.config.AdminConfig;
import dev.ferry.config.ConfigException;
import dev.ferry.config.HostPort;
import dev.ferry.proxy.BindFailure;
import dev.ferry.proxy.Transport;
import dev.ferry.tls.ServerTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP listener (HAProxy's {@code listen stats}): {@code /stats} (HTML), {@code /stats.json},
 * {@code /stats.csv}, {@code /metrics} (Prometheus) and {@code /health}, on Ferry's own event loops.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    /** How often node states are sampled for "since when" and new nodes get meters. */
    private static final long TICK_MILLIS = 250;
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final int IDLE_SECONDS = 60;

    private final AdminConfig config;
    private final Ferry ferry;
    private final NodeStates states = new NodeStates();
    private final FerryMetrics metrics;
    private final FailoverEndpoint failover;
    private final ReloadEndpoint reload = new ReloadEndpoint();
    private final ServerTls tls;
    private final ChannelGroup connections = new DefaultChannelGroup("ferry-admin", GlobalEventExecutor.INSTANCE);
    private volatile boolean draining;
    private Channel listener;
    private ScheduledFuture<?> tick;

    public AdminServer(AdminConfig config, Ferry ferry) {
        this.config = config;
        this.ferry = ferry;
        this.tls = config.tls() == null ? null : serverTls(config);
        this.metrics = new FerryMetrics(ferry);
        this.failover = new FailoverEndpoint(ferry);
    }

    private static ServerTls serverTls(AdminConfig config) {
        try {
            return ServerTls.load("admin.tls", config.tls());
        } catch (ConfigException e) {
            throw new IllegalStateException(e.getMessage());
        }
    }

    /** Creates and starts one; on a bind failure nothing is left running. */
    public static AdminServer start(AdminConfig config, Ferry ferry) throws BindFailure {
        AdminServer a = new AdminServer(config, ferry);
        a.start();
        return a;
    }

    /** Binds the admin address; a port in use becomes a {@link BindFailure} naming the admin listener. */
    public void start() throws BindFailure {
        Transport t = ferry.transport();
        AdminHandler handler = new AdminHandler(config, this::model, metrics, failover, reload, () -> draining);
        ServerBootstrap b = new ServerBootstrap()
                .group(t.boss(), t.workers())
                .channel(t.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 128)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        if (tls != null) ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        ch.pipeline().addLast(new ReadTimeoutHandler(IDLE_SECONDS), new HttpServerCodec(),
                                new HttpObjectAggregator(MAX_REQUEST_BYTES), handler);
                    }
                });
        try {
            listener = b.bind(config.bind().host(), config.bind().port()).sync().channel();
        } catch (Exception e) {
            metrics.close();
            throw new BindFailure("admin: cannot listen on " + config.bind() + ": " + BindFailure.reason(e));
        }
        ferry.certificates().watch(tls);
        tick = listener.eventLoop().scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        log.info("admin listening on {}{}: /stats, /stats.json, /stats.csv, /metrics, /health ({})", tls == null ? "http://" : "https://", boundAddress(),
                config.authRequired() ? "basic auth as '" + config.user() + "'" + (config.healthNeedsAuth() ? "" : ", /health open")
                        : "no auth");
    }

    /** The address actually bound (port 0 in the config picks a free port). */
    public HostPort boundAddress() {
        InetSocketAddress a = (InetSocketAddress) listener.localAddress();
        return new HostPort(config.bind().host(), a.getPort());
    }

    /** Where an operator opens the stats page. */
    public String statsUrl() {
        return (tls == null ? "http://" : "https://") + boundAddress() + "/stats";
    }

    /** What {@code POST /reload} runs (a Ferry started from a file has one). */
    public void onReload(java.util.function.Function<String, dev.ferry.Reloader.Outcome> action) {
        reload.use(action);
    }

    /** The listener's TLS (null: plain HTTP), for certificate reloads. */
    public ServerTls tls() {
        return tls;
    }

    /** From now on {@code /health} answers 503 "draining": this instance is stopping (the rest keeps working). */
    public void drain() {
        draining = true;
    }

    StatsModel model() {
        return StatsModel.collect(ferry, config, states);
    }

    private void tick() {
        try {
            for (Ferry.Frontend fr : ferry.frontends()) states.observe(fr.config().name(), fr.topology().snapshot().nodes());
            metrics.registerNew();
        } catch (RuntimeException e) {
            log.debug("admin tick: {}", e.toString());
        }
    }

    @Override
    public void close() {
        if (tick != null) tick.cancel(false);
        if (listener != null) listener.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        failover.close();
        reload.close();
        ferry.certificates().forget(tls);
        metrics.close();
    }

    @Override
    public String toString() {
        return "admin listener " + config.bind();
    }
}
