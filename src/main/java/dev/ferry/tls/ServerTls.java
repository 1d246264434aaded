package dev.ferry.tls;

import dev.ferry.config.ConfigException;
import dev.ferry.config.PemFiles;
import dev.ferry.config.TlsServerConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.net.ssl.SSLException;

/**
 * The TLS context of one listener (a frontend's client port, the admin port). Replaced whole when its
 * files change: new handshakes use the new certificate, established sessions keep the one they began with.
 */
public final class ServerTls implements Reloadable {
    private final String name;
    private final TlsServerConfig config;
    private volatile Loaded current;

    private record Loaded(SslContext context, X509Certificate leaf, FileStamps stamps) {}

    private ServerTls(String name, TlsServerConfig config, Loaded loaded) {
        this.name = name;
        this.config = config;
        this.current = loaded;
    }

    /** Builds the context from the files; {@code name} prefixes every message, e.g. {@code frontends[0].tls}. */
    public static ServerTls load(String name, TlsServerConfig config) throws ConfigException {
        return new ServerTls(name, config, build(name, config));
    }

    /** The context new connections use; a reload replaces it. */
    public SslContext context() {
        return current.context();
    }

    public SslHandler newHandler(ByteBufAllocator alloc) {
        return current.context().newHandler(alloc);
    }

    public TlsServerConfig config() {
        return config;
    }

    @Override
    public String name() {
        return name;
    }

    /** The certificate new handshakes show. */
    public X509Certificate certificate() {
        return current.leaf();
    }

    @Override
    public boolean filesChanged() {
        return current.stamps().changed();
    }

    @Override
    public String reload() throws ConfigException {
        Loaded next = build(name, config);
        current = next;
        return "now shows " + PemFiles.subject(next.leaf()) + ", valid until " + next.leaf().getNotAfter().toInstant();
    }

    private static Loaded build(String name, TlsServerConfig c) throws ConfigException {
        FileStamps stamps = FileStamps.of(c.files());
        PemFiles.KeyAndChain pair = PemFiles.keyAndChain(name + ".cert", c.cert(), name + ".key", c.key(), c.keyPassword(), Instant.now());
        SslContextBuilder b = SslContextBuilder.forServer(pair.key(), pair.chain())
                .sslProvider(TlsProvider.forNetty())
                .protocols(c.protocols())
                .ciphers(TlsProvider.CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
        if (c.clientCa() != null) {
            b.trustManager(PemFiles.certificates(name + ".client-ca", c.clientCa())).clientAuth(ClientAuth.REQUIRE);
        }
        try {
            return new Loaded(b.build(), pair.leaf(), stamps);
        } catch (SSLException | RuntimeException e) {
            throw new ConfigException(name + ": cannot set up TLS with " + c.cert() + " and " + c.key() + ": " + HandshakeFailure.describe(e));
        }
    }
}
