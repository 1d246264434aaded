package dev.ferry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.tls.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TLS settings are checked once at load, against the files themselves, and every mistake names its key. */
class TlsConfigTest {
    static Path dir;
    static TestCa ca;
    static TestCa.Issued ferry;
    static TestCa.Issued other;
    static TestCa.Issued expired;
    static TestCa.Issued encrypted;
    private final ConfigLoader loader = new ConfigLoader(Map.of("KEY_PW", "k3y-passphrase")::get);

    @BeforeAll
    static void certificates() throws Exception {
        dir = Files.createTempDirectory("ferry-tls-config-");
        ca = TestCa.create(dir, "config");
        ferry = ca.issue("ferry");
        other = ca.issue("other");
        expired = ca.expired("old");
        Instant now = Instant.now();
        encrypted = ca.issue("locked", TestCa.LOOPBACK, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), "k3y-passphrase");
    }

    private FerryConfig parse(String frontendLines) throws ConfigException {
        return loader.parse(dir.resolve("ferry.yaml"), "frontends:\n  - name: orders\n    bind: 127.0.0.1:6379\n"
                + "    servers: [127.0.0.1:6380]\n" + frontendLines);
    }

    private static String tls(TestCa.Issued i) {
        return "    tls: { cert: " + i.cert() + ", key: " + i.key() + " }\n";
    }

    @Test
    void aFrontendWithTlsOnEverySideLoadsWithModernDefaults() throws Exception {
        FrontendConfig f = parse(tls(ferry) + "    plaintext-bind: 127.0.0.1:6378\n"
                + "    node-tls: { ca: " + ca.caFile() + ", cert: " + ferry.cert() + ", key: " + ferry.key() + " }\n"
                + "    sentinel-tls: { ca: " + ca.caFile() + " }\n").frontends().get(0);
        assertThat(f.tls().clients().cert()).isEqualTo(ferry.cert());
        assertThat(f.tls().clients().protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(f.tls().clients().requiresClientCertificate()).isFalse();
        assertThat(f.tls().plaintextBind()).isEqualTo(HostPort.parse("127.0.0.1:6378"));
        assertThat(f.tls().nodes().verifyHostname()).as("hostname verification is on unless turned off").isTrue();
        assertThat(f.tls().sentinels().cert()).isNull();
    }

    @Test
    void sentinelTlsMayReuseNodeTlsThroughAYamlAnchor() throws Exception {
        FrontendConfig f = parse("    node-tls: &redis-tls\n      ca: " + ca.caFile() + "\n      verify-hostname: false\n"
                + "    sentinel-tls: *redis-tls\n").frontends().get(0);
        assertThat(f.tls().sentinels()).isEqualTo(f.tls().nodes());
        assertThat(f.tls().sentinels().verifyHostname()).isFalse();
    }

    @Test
    void withoutTlsKeysEverySideIsPlaintext() throws Exception {
        assertThat(parse("").frontends().get(0).tls()).isEqualTo(FrontendTlsConfig.NONE);
    }

    @Test
    void relativePathsAreTakenFromTheConfigFilesDirectory() throws Exception {
        FrontendConfig f = parse("    tls: { cert: " + ferry.cert().getFileName() + ", key: " + ferry.key().getFileName() + " }\n")
                .frontends().get(0);
        assertThat(f.tls().clients().cert()).isEqualTo(ferry.cert());
    }

    @Test
    void aMissingCertificateFileIsNamed() {
        assertThatThrownBy(() -> parse("    tls: { cert: " + dir.resolve("nope.crt") + ", key: " + ferry.key() + " }\n"))
                .isInstanceOf(ConfigException.class).hasMessage("frontends[0].tls.cert: " + dir.resolve("nope.crt") + ": no such file");
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefused() {
        assertThatThrownBy(() -> parse("    tls: { cert: " + ferry.cert() + ", key: " + other.key() + " }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("frontends[0].tls.key: " + other.key() + " is not the key of the certificate in frontends[0].tls.cert");
    }

    @Test
    void anExpiredCertificateIsRefusedWithItsDate() {
        assertThatThrownBy(() -> parse(tls(expired)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("frontends[0].tls.cert: the certificate 'CN=old' expired on ");
    }

    @Test
    void aCertificateIsCheckedAgainstTheLoadersClock() {
        ConfigLoader later = new ConfigLoader(Map.<String, String>of()::get, Clock.fixed(Instant.now().plus(Duration.ofDays(3)), ZoneOffset.UTC));
        assertThatThrownBy(() -> later.parse(dir.resolve("ferry.yaml"), "frontends:\n  - name: orders\n    bind: 127.0.0.1:6379\n"
                + "    servers: [127.0.0.1:6380]\n" + "    node-tls: { cert: " + ferry.cert() + ", key: " + ferry.key() + " }\n"))
                .hasMessageStartingWith("frontends[0].node-tls.cert: the certificate 'CN=ferry' expired on ");
    }

    @Test
    void anEncryptedKeyNeedsItsPassword() {
        assertThatThrownBy(() -> parse(tls(encrypted)))
                .isInstanceOf(ConfigException.class).hasMessage("frontends[0].tls.key: " + encrypted.key() + " is encrypted; set key-password");
    }

    @Test
    void anEncryptedKeyLoadsWithItsPasswordFromTheEnvironment() throws Exception {
        FrontendConfig f = parse("    tls: { cert: " + encrypted.cert() + ", key: " + encrypted.key() + ", key-password: \"${KEY_PW}\" }\n")
                .frontends().get(0);
        assertThat(f.tls().clients().keyPassword()).isEqualTo("k3y-passphrase");
    }

    @Test
    void aWrongKeyPasswordIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> parse("    tls: { cert: " + encrypted.cert() + ", key: " + encrypted.key() + ", key-password: wrong-guess }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("frontends[0].tls.key: " + encrypted.key() + ": key-password does not decrypt it")
                .message().doesNotContain("wrong-guess");
    }

    @Test
    void keyPasswordsNeverAppearInTheConfigsTextForm() throws Exception {
        FerryConfig c = parse("    tls: { cert: " + encrypted.cert() + ", key: " + encrypted.key() + ", key-password: \"${KEY_PW}\" }\n"
                + "    node-tls: { cert: " + encrypted.cert() + ", key: " + encrypted.key() + ", key-password: \"${KEY_PW}\" }\n");
        assertThat(c.toString()).doesNotContain("k3y-passphrase");
    }

    @Test
    void aPemFileWithoutACertificateIsNamed() {
        assertThatThrownBy(() -> parse("    tls: { cert: " + ferry.key() + ", key: " + ferry.key() + " }\n"))
                .hasMessage("frontends[0].tls.cert: " + ferry.key() + " holds no readable PEM certificate ('-----BEGIN CERTIFICATE-----')");
    }

    @Test
    void anOldTlsVersionIsRefused() {
        assertThatThrownBy(() -> parse("    tls: { cert: " + ferry.cert() + ", key: " + ferry.key() + ", protocols: [TLSv1.1] }\n"))
                .hasMessage("frontends[0].tls.protocols: 'TLSv1.1' is not offered; use TLSv1.3 and/or TLSv1.2");
    }

    @Test
    void aPlaintextPortNeedsATlsOne() {
        assertThatThrownBy(() -> parse("    plaintext-bind: 127.0.0.1:6378\n"))
                .hasMessage("frontends[0].plaintext-bind: only beside tls: (bind is already plaintext without it)");
    }

    @Test
    void aClientCertificateNeedsItsKey() {
        assertThatThrownBy(() -> parse("    node-tls: { cert: " + ferry.cert() + " }\n"))
                .hasMessage("frontends[0].node-tls.key: missing; cert is set, so its key is needed");
    }

    @Test
    void anUnknownTlsKeyIsNamed() {
        assertThatThrownBy(() -> parse("    node-tls: { verify-host: false }\n"))
                .hasMessageStartingWith("frontends[0].node-tls.verify-host: unknown key");
    }

    @Test
    void theAdminListenerTakesTlsToo() throws Exception {
        FerryConfig c = loader.parse(dir.resolve("ferry.yaml"), "frontends:\n  - name: orders\n    bind: 127.0.0.1:6379\n"
                + "    servers: [127.0.0.1:6380]\nadmin:\n  bind: 127.0.0.1:1936\n  tls: { cert: " + ferry.cert() + ", key: " + ferry.key() + " }\n");
        assertThat(c.admin().orElseThrow().tls().cert()).isEqualTo(ferry.cert());
        assertThat(List.of(c.admin().orElseThrow().toString())).allMatch(s -> s.contains("tls=on"));
    }
}
