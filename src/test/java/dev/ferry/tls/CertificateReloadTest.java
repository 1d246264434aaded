package dev.ferry.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.Ferry;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.HostPort;
import dev.ferry.resp.Connector;
import dev.ferry.resp.RedisLink;
import dev.ferry.demo.group.RedisGroup;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A certificate replaced on disk is what new handshakes get; sessions already open carry on; bad files change nothing. */
@Tag("integration")
class CertificateReloadTest {
    static final Duration WAIT = Duration.ofSeconds(15);
    Path dir;
    TestCa ca;
    Path cert;
    Path key;
    RedisGroup group;
    Ferry ferry;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("ferry-reload-");
        ca = TestCa.create(dir, "reload");
        TestCa.Issued first = ca.issue("first");
        cert = dir.resolve("ferry.crt");
        key = dir.resolve("ferry.key");
        Files.copy(first.cert(), cert);
        Files.copy(first.key(), key);
        group = RedisGroup.builder().replicas(0).sentinels(0).start();
        ferry = Ferry.start(new ConfigLoader().parse(dir.resolve("ferry.yaml"), "frontends:\n  - name: orders\n    bind: 127.0.0.1:0\n"
                + "    servers: [" + group.nodeAddresses().get(0) + "]\n    tls: { cert: ferry.crt, key: ferry.key }\n"));
        await().atMost(WAIT).until(() -> ferry.frontends().get(0).topology().snapshot().verdict().hasMaster());
    }

    @AfterEach
    void stop() {
        if (ferry != null) ferry.close();
        if (group != null) group.close();
    }

    private HostPort address() {
        return ferry.frontends().get(0).server().boundAddress();
    }

    private RedisLink session() throws Exception {
        return new Connector(dev.ferry.config.Credentials.NONE, new dev.ferry.config.TlsClientConfig(ca.caFile(), null, null, null, true, null,
                ConfigLoader.DEFAULT_TLS_PROTOCOLS), Duration.ofSeconds(3)).open(address(), null);
    }

    /** The subject of the certificate a new TLS connection to the frontend is shown. */
    private String shownNow() throws Exception {
        JdkSslContext ssl = (JdkSslContext) SslContextBuilder.forClient().sslProvider(SslProvider.JDK).trustManager(ca.caFile().toFile()).build();
        try (SSLSocket s = (SSLSocket) ssl.context().getSocketFactory().createSocket(address().host(), address().port())) {
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    /** Replaces the files the way renewal tools do: write beside, then rename over. */
    private void install(TestCa.Issued next) throws Exception {
        Files.copy(next.key(), dir.resolve("ferry.key.new"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(next.cert(), dir.resolve("ferry.crt.new"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(dir.resolve("ferry.key.new"), key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(dir.resolve("ferry.crt.new"), cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void aRenewedCertificateIsShownToNewClientsWhileAnOpenSessionCarriesOn() throws Exception {
        try (RedisLink kept = session()) {
            assertThat(kept.call("SET", "reload:k", "1")).isEqualTo("OK");
            assertThat(shownNow()).isEqualTo("CN=first");
            install(ca.issue("second"));
            await().atMost(WAIT).until(() -> shownNow().equals("CN=second"));
            assertThat(kept.call("GET", "reload:k")).as("the session opened before the reload is untouched").isEqualTo("1");
            assertThat(ferry.certificates().reloads.sum()).isEqualTo(1);
        }
    }

    @Test
    void filesThatDoNotCheckOutLeaveTheLoadedCertificateInPlace() throws Exception {
        TestCa.Issued other = ca.issue("other");
        Files.copy(other.key(), key, StandardCopyOption.REPLACE_EXISTING); // the key alone: no longer the certificate's
        await().atMost(WAIT).until(() -> ferry.certificates().refused.sum() == 1);
        assertThat(shownNow()).isEqualTo("CN=first");
        try (RedisLink fresh = session()) {
            assertThat(fresh.call("PING")).isEqualTo("PONG");
        }
        Files.copy(other.cert(), cert, StandardCopyOption.REPLACE_EXISTING); // now the pair is whole
        await().atMost(WAIT).until(() -> shownNow().equals("CN=other"));
    }
}
