package dev.ferry.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.Ferry;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.HostPort;
import dev.ferry.config.TlsClientConfig;
import dev.ferry.resp.Connector;
import dev.ferry.resp.RedisLink;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

/**
 * Clients meet Ferry's TLS: redis-cli, Jedis and Lettuce connect; a plaintext client on the TLS port, a
 * TLS client on the plaintext port, a client trusting another CA, a missing or expired client
 * certificate are each refused with a message where it can be read, counted, and cost other sessions nothing.
 */
@Tag("integration")
class TlsFrontendTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static TlsGroup t;
    static TestCa stranger;

    @BeforeAll
    static void start() throws Exception {
        t = new TlsGroup();
        stranger = TestCa.create(t.dir, "stranger");
        t.startFerryWith("frontends:\n" + t.frontend("orders", false) + t.frontend("orders-mtls", true)
                + t.frontend("orders-dedicated", false, "connections: dedicated"));
        await().atMost(WAIT).until(() -> t.routedMaster() != null);
    }

    @AfterAll
    static void stop() {
        if (t != null) t.close();
    }

    private static TlsCounters counters(int frontend) {
        return t.ferry.frontends().get(frontend).server().tls().counters();
    }

    private static HostPort mtls() {
        return t.ferry.frontends().get(1).server().boundAddress();
    }

    private static Connector trusting(java.nio.file.Path ca, TestCa.Issued clientCert) {
        TlsClientConfig c = new TlsClientConfig(ca, clientCert == null ? null : clientCert.cert(), clientCert == null ? null : clientCert.key(),
                null, true, null, ConfigLoader.DEFAULT_TLS_PROTOCOLS);
        return new Connector(t.group.credentials(), c, Duration.ofSeconds(3));
    }

    @Test
    void redisCliWithTlsGetsTheMastersRoleThroughFerry() throws Exception {
        assertThat(TlsFailoverTest.redisCli(t, "ROLE")).startsWith("master");
    }

    @Test
    void aFrontendWithDedicatedNodeConnectionsRunsTlsOnBothSides() throws Exception {
        HostPort dedicated = t.ferry.frontends().get(2).server().boundAddress();
        try (RedisLink l = t.clientConnector(Duration.ofSeconds(5)).open(dedicated, null)) {
            assertThat(l.call("SET", "tls:dedicated", "1")).isEqualTo("OK");
            assertThat(l.call("GET", "tls:dedicated")).isEqualTo("1");
        }
    }

    @Test
    void jedisConnectsWithTls() throws Exception {
        JdkSslContext ssl = (JdkSslContext) SslContextBuilder.forClient().sslProvider(SslProvider.JDK).trustManager(t.ca.caFile().toFile()).build();
        HostPort a = t.tlsAddress();
        try (Jedis jedis = new Jedis(a.host(), a.port(), DefaultJedisClientConfig.builder().ssl(true)
                .sslSocketFactory(ssl.context().getSocketFactory()).password(TlsGroup.PASSWORD).build())) {
            assertThat(jedis.set("tls:jedis", "1")).isEqualTo("OK");
            assertThat(jedis.get("tls:jedis")).isEqualTo("1");
        }
    }

    @Test
    void lettuceConnectsWithTls() {
        HostPort a = t.tlsAddress();
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(RedisURI.builder().withHost(a.host()).withPort(a.port())
                .withSsl(true).withVerifyPeer(true).withPassword(TlsGroup.PASSWORD.toCharArray()).withTimeout(Duration.ofSeconds(5)).build());
        client.setOptions(ClientOptions.builder().sslOptions(SslOptions.builder().jdkSslProvider().trustManager(t.ca.caFile().toFile()).build()).build());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            assertThat(c.sync().set("tls:lettuce", "1")).isEqualTo("OK");
            assertThat(c.sync().get("tls:lettuce")).isEqualTo("1");
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void aPlaintextClientOnTheTlsPortReadsAnErrorAndOtherSessionsCarryOn() throws Exception {
        long before = counters(0).plaintextOnTlsPort.sum();
        try (RedisLink kept = t.clientConnector(Duration.ofSeconds(3)).open(t.tlsAddress(), null);
             Socket plain = new Socket(t.tlsAddress().host(), t.tlsAddress().port())) {
            assertThat(kept.call("PING")).isEqualTo("PONG");
            plain.setSoTimeout(3000);
            OutputStream out = plain.getOutputStream();
            out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = plain.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).isEqualTo("-ERR Ferry: this port speaks TLS; connect with TLS (redis-cli --tls)\r\n");
            assertThat(counters(0).plaintextOnTlsPort.sum()).isEqualTo(before + 1);
            assertThat(kept.call("PING")).as("an established TLS session is untouched").isEqualTo("PONG");
        }
    }

    @Test
    void aTlsClientOnThePlaintextPortIsClosedAndCounted() throws Exception {
        long before = counters(0).tlsOnPlaintextPort.sum();
        assertThatThrownBy(() -> t.clientConnector(Duration.ofSeconds(3)).open(t.plaintextAddress(), null)).isInstanceOf(SSLException.class);
        await().atMost(WAIT).until(() -> counters(0).tlsOnPlaintextPort.sum() == before + 1);
        try (RedisLink plain = RedisLink.open(t.plaintextAddress(), t.group.credentials(), Duration.ofSeconds(3), null)) {
            assertThat(plain.call("PING")).as("plaintext clients still served there").isEqualTo("PONG");
        }
    }

    @Test
    void aClientTrustingAnotherCaIsRefusedOnItsSideAndCountedOnFerrys() {
        long before = counters(0).handshakeFailures.sum();
        assertThatThrownBy(() -> trusting(stranger.caFile(), null).open(t.tlsAddress(), null))
                .isInstanceOf(SSLException.class).hasMessageContaining("certificate not signed by a trusted CA");
        await().atMost(WAIT).until(() -> counters(0).handshakeFailures.sum() == before + 1);
    }

    @Test
    void theMutualTlsFrontendAcceptsAClientCertificateFromItsCa() throws Exception {
        try (RedisLink l = trusting(t.ca.caFile(), t.client).open(mtls(), null)) {
            assertThat(l.call("PING")).isEqualTo("PONG");
        }
    }

    @Test
    void theMutualTlsFrontendRefusesAClientWithoutACertificate() {
        long before = counters(1).handshakeFailures.sum();
        assertThatThrownBy(() -> {
            try (RedisLink l = trusting(t.ca.caFile(), null).open(mtls(), null)) {
                l.call("PING"); // TLS 1.3: the refusal can arrive after the client's side of the handshake
            }
        }).isInstanceOf(java.io.IOException.class);
        await().atMost(WAIT).until(() -> counters(1).handshakeFailures.sum() == before + 1);
    }

    @Test
    void theMutualTlsFrontendRefusesAnExpiredClientCertificate() throws Exception {
        long before = counters(1).handshakeFailures.sum();
        TestCa.Issued old = t.ca.expired("old-client");
        // redis-cli, since Ferry's own client side will not even offer an expired certificate.
        Process p = new ProcessBuilder("redis-cli", "--tls", "--cacert", t.ca.caFile().toString(), "--cert", old.cert().toString(),
                "--key", old.key().toString(), "-h", mtls().host(), "-p", Integer.toString(mtls().port()), "PING")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        assertThat(out).doesNotContain("PONG");
        await().atMost(WAIT).until(() -> counters(1).handshakeFailures.sum() == before + 1);
    }

    @Test
    void aNodeWhoseCertificateDoesNotNameTheServerNameIsRefused() {
        HostPort node = t.group.nodeAddresses().get(0);
        TlsClientConfig wrongName = new TlsClientConfig(t.ca.caFile(), t.client.cert(), t.client.key(), null, true, "redis.example",
                ConfigLoader.DEFAULT_TLS_PROTOCOLS);
        assertThatThrownBy(() -> new Connector(t.group.credentials(), wrongName, Duration.ofSeconds(3)).open(node, null))
                .isInstanceOf(SSLException.class).hasMessageContaining("the certificate does not name this address");
    }

    @Test
    void hostnameVerificationTurnedOffAcceptsAnyNameFromTheTrustedCa() throws Exception {
        HostPort node = t.group.nodeAddresses().get(0);
        TlsClientConfig unchecked = new TlsClientConfig(t.ca.caFile(), t.client.cert(), t.client.key(), null, false, "redis.example",
                ConfigLoader.DEFAULT_TLS_PROTOCOLS);
        try (RedisLink l = new Connector(t.group.credentials(), unchecked, Duration.ofSeconds(3)).open(node, null)) {
            assertThat(l.call("PING")).isEqualTo("PONG");
        }
    }

    @Test
    void aFerryTrustingAnotherCaForItsNodesSaysWhyItHasNoMaster() throws Exception {
        String yaml = t.yaml().replace("node-tls: { ca: " + t.ca.caFile(), "node-tls: { ca: " + stranger.caFile());
        try (Ferry other = Ferry.start(new ConfigLoader().parse(t.dir.resolve("other.yaml"), yaml))) {
            await().atMost(WAIT).until(() -> other.frontends().get(0).topology().snapshot().nodes().stream()
                    .anyMatch(n -> n.detail() != null && n.detail().contains("certificate not signed by a trusted CA")));
            assertThat(other.frontends().get(0).topology().snapshot().verdict().master()).isNull();
        }
    }
}
