package dev.ferry.tls;

import dev.ferry.config.ConfigException;
import dev.ferry.config.HostPort;
import dev.ferry.config.PemFiles;
import dev.ferry.config.TlsClientConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS from Ferry to Redis nodes or Sentinels, built once per distinct setting and shared by every
 * connection Ferry opens with it (the data path's and, through {@code resp.Connector}, the checks,
 * subscriptions, fencing and failover). Hostname verification is on unless the setting turns it off.
 * Replaced whole when its files change; connections already open keep their session.
 */
public final class ClientTls implements Reloadable {
    private static final Logger log = LoggerFactory.getLogger(ClientTls.class);
    private static final Map<TlsClientConfig, ClientTls> SHARED = new ConcurrentHashMap<>();

    private final String name;
    private final TlsClientConfig config;
    private final TlsCounters counters = new TlsCounters();
    private final RateLimitedLog failures = new RateLimitedLog(log);
    private volatile Loaded current;

    private record Loaded(SslContext context, FileStamps stamps) {}

    private ClientTls(String name, TlsClientConfig config) throws ConfigException {
        this.name = name;
        this.config = config;
        this.current = build(name, config);
    }

    /**
     * The shared TLS of this setting, built on first use; {@code name} (e.g. {@code frontends[0].node-tls})
     * prefixes messages. Throws when the files no longer check out.
     */
    public static ClientTls load(String name, TlsClientConfig config) throws ConfigException {
        ClientTls t = SHARED.get(config);
        if (t != null) return t;
        synchronized (SHARED) {
            t = SHARED.get(config);
            if (t == null) {
                t = new ClientTls(name, config);
                SHARED.put(config, t);
            }
            return t;
        }
    }

    /** As {@link #load}, for callers that cannot throw: the setting was loaded once at start, so this finds it. */
    public static ClientTls of(TlsClientConfig config) {
        try {
            return load("tls", config);
        } catch (ConfigException e) {
            throw new IllegalStateException(e.getMessage());
        }
    }

    /** Every distinct setting in use, for the certificate watcher. */
    public static List<ClientTls> all() {
        return List.copyOf(SHARED.values());
    }

    /** {@code handler} alone when {@code config} is null (plaintext), else TLS to {@code node} in front of it. */
    public static ChannelHandler around(TlsClientConfig config, HostPort node, ChannelHandler handler) {
        if (config == null) return handler;
        ClientTls tls = of(config);
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(tls.newHandler(ch.alloc(), node), handler);
            }
        };
    }

    /** A handler that runs TLS to {@code server}, checking its certificate names it (or {@code server-name}). */
    public SslHandler newHandler(ByteBufAllocator alloc, HostPort server) {
        SslHandler h = current.context().newHandler(alloc, peerName(server), server.port());
        h.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                counters.handshakes.increment();
            } else {
                counters.handshakeFailures.increment();
                failures.warn("TLS to " + server + " failed: " + HandshakeFailure.describe(f.cause()));
            }
        });
        return h;
    }

    public TlsCounters counters() {
        return counters;
    }

    public TlsClientConfig config() {
        return config;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean filesChanged() {
        return current.stamps().changed();
    }

    @Override
    public String reload() throws ConfigException {
        current = build(name, config);
        return "trusts " + (config.ca() == null ? "the JVM's CAs" : config.ca())
                + (config.cert() == null ? "" : ", shows " + config.cert());
    }

    private String peerName(HostPort server) {
        return config.serverName() != null ? config.serverName() : server.host();
    }

    private static Loaded build(String name, TlsClientConfig c) throws ConfigException {
        FileStamps stamps = FileStamps.of(c.files());
        return new Loaded(context(name, c), stamps);
    }

    private static SslContext context(String name, TlsClientConfig c) throws ConfigException {
        SslContextBuilder b = SslContextBuilder.forClient()
                .sslProvider(TlsProvider.forNetty())
                .protocols(c.protocols())
                .ciphers(TlsProvider.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .endpointIdentificationAlgorithm(c.verifyHostname() ? "HTTPS" : null);
        if (c.ca() != null) b.trustManager(PemFiles.certificates(name + ".ca", c.ca()));
        if (c.cert() != null) {
            PemFiles.KeyAndChain pair = PemFiles.keyAndChain(name + ".cert", c.cert(), name + ".key", c.key(), c.keyPassword(), Instant.now());
            b.keyManager(pair.key(), pair.chain());
        }
        try {
            return b.build();
        } catch (SSLException | RuntimeException e) {
            throw new ConfigException(name + ": cannot set up TLS: " + HandshakeFailure.describe(e));
        }
    }
}
