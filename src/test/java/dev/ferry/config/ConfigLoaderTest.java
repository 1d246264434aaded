package dev.ferry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration is validated once, and every mistake names its key. */
class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader(Map.of("REDIS_PASSWORD", "s3cret", "ADMIN_PW", "adm1n-pw")::get);

    private FerryConfig parse(String yaml) throws ConfigException {
        return loader.parse(Path.of("ferry.yaml"), yaml);
    }

    private static final String FULL = """
            frontends:
              - name: orders
                bind: 127.0.0.1:6379
                master: mymaster
                sentinels: [127.0.0.1:26379, 127.0.0.1:26380, 127.0.0.1:26381]
                servers: [127.0.0.1:6380, 127.0.0.1:6381]
                password: ${REDIS_PASSWORD}
                check: { interval: 1s, timeout: 500ms }
            admin:
              bind: 127.0.0.1:1936
              user: admin
              password: ${ADMIN_PW}
            """;

    @Test
    void theDocumentedExampleLoadsWithEnvironmentVariablesExpanded() throws Exception {
        FerryConfig c = parse(FULL);
        FrontendConfig f = c.frontends().get(0);
        assertThat(f.name()).isEqualTo("orders");
        assertThat(f.bind()).isEqualTo(HostPort.parse("127.0.0.1:6379"));
        assertThat(f.sentinels()).hasSize(3);
        assertThat(f.servers()).hasSize(2);
        assertThat(f.redisAuth().password()).isEqualTo("s3cret");
        assertThat(f.check().interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(f.check().timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(f.waitForMaster()).isEqualTo(Duration.ofSeconds(5));
        assertThat(f.fence()).isTrue();
        assertThat(f.connections()).isEqualTo(ConnectionPolicy.SHARED);
        assertThat(f.moveTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(f.clientOutputLimit()).isEqualTo(64L << 20);
        assertThat(f.clientInputLimit()).isEqualTo(4L << 20);
        assertThat(c.admin()).get().extracting(AdminConfig::password).isEqualTo("adm1n-pw");
    }

    @Test
    void passwordsNeverAppearInTheConfigsTextForm() throws Exception {
        FerryConfig c = parse(FULL);
        assertThat(c.toString()).doesNotContain("s3cret").doesNotContain("adm1n-pw");
    }

    @Test
    void anUnknownKeyIsNamed() {
        assertThatThrownBy(() -> parse(FULL.replace("    master: mymaster", "    master: mymaster\n    mastr: x")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("frontends[0].mastr: unknown key");
    }

    @Test
    void connectionsAreSharedOrDedicatedAndTheOldTcpModeSaysWhatReplacedIt() throws Exception {
        assertThat(parse(FULL.replace("    master: mymaster", "    master: mymaster\n    connections: dedicated")).frontends().get(0)
                .connections()).isEqualTo(ConnectionPolicy.DEDICATED);
        assertThat(parse(FULL.replace("    master: mymaster", "    master: mymaster\n    mode: redis")).frontends().get(0)
                .connections()).as("mode: redis is what every frontend does").isEqualTo(ConnectionPolicy.SHARED);
        assertThatThrownBy(() -> parse(FULL.replace("    master: mymaster", "    master: mymaster\n    connections: pooled")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("frontends[0].connections: 'pooled' is not a connection policy; use shared (default) or dedicated");
        assertThatThrownBy(() -> parse(FULL.replace("    master: mymaster", "    master: mymaster\n    mode: tcp")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("use connections: dedicated");
    }

    @Test
    void sizesAndTheMoveTimeoutAreReadWithTheirUnits() throws Exception {
        FrontendConfig f = parse(FULL.replace("    master: mymaster",
                "    master: mymaster\n    client-output-limit: 16mb\n    client-input-limit: 2mb\n    move-timeout: 800ms")).frontends().get(0);
        assertThat(f.clientOutputLimit()).isEqualTo(16L << 20);
        assertThat(f.clientInputLimit()).isEqualTo(2L << 20);
        assertThat(f.moveTimeout()).isEqualTo(Duration.ofMillis(800));
        assertThatThrownBy(() -> parse(FULL.replace("    master: mymaster", "    master: mymaster\n    client-output-limit: lots")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("frontends[0].client-output-limit: 'lots' is not a size (e.g. 64mb, 512kb, 1gb)");
    }

    @Test
    void theAdminDrainIsNoneUnlessSet() throws Exception {
        assertThat(parse(FULL).admin()).get().extracting(AdminConfig::drain).isEqualTo(Duration.ZERO);
        assertThat(parse(FULL + "  drain: 3s\n").admin()).get().extracting(AdminConfig::drain).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void aDrainOfMoreThanFiveMinutesIsRefused() {
        assertThatThrownBy(() -> parse(FULL + "  drain: 6m\n"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("admin.drain: 360s is longer than 300s");
    }

    @Test
    void aBadAddressIsNamed() {
        assertThatThrownBy(() -> parse(FULL.replace("127.0.0.1:26380", "127.0.0.1")))
                .hasMessage("frontends[0].sentinels[1]: '127.0.0.1' is not host:port");
    }

    @Test
    void aDuplicateBindIsNamed() {
        String two = FULL.replace("admin:", """
                  - name: billing
                    bind: 127.0.0.1:6379
                    servers: [127.0.0.1:7000]
                admin:""");
        assertThatThrownBy(() -> parse(two)).hasMessage("frontends[1].bind: 127.0.0.1:6379 is already the bind of frontends[0]");
    }

    @Test
    void sentinelsWithoutAMasterNameAreRefused() {
        assertThatThrownBy(() -> parse(FULL.replace("    master: mymaster\n", "")))
                .hasMessageStartingWith("frontends[0].master: missing");
    }

    @Test
    void anUnsetEnvironmentVariableIsNamedWithItsKey() {
        assertThatThrownBy(() -> parse(FULL.replace("${REDIS_PASSWORD}", "${NOPE}")))
                .hasMessage("frontends[0].password: environment variable NOPE is not set");
    }

    @Test
    void aDefaultAfterColonDashIsUsedWhenTheVariableIsUnset() throws Exception {
        FerryConfig c = parse(FULL.replace("${REDIS_PASSWORD}", "${NOPE:-fallback}"));
        assertThat(c.frontends().get(0).redisAuth().password()).isEqualTo("fallback");
    }

    @Test
    void aBadDurationIsNamed() {
        assertThatThrownBy(() -> parse(FULL.replace("interval: 1s", "interval: soon")))
                .hasMessage("frontends[0].check.interval: 'soon' is not a duration such as 500ms, 1s, 2m");
    }

    @Test
    void invalidYamlIsOneLine() {
        assertThatThrownBy(() -> parse("frontends: [\n  - name: x\n"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("ferry.yaml: not valid YAML:")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void anUnreadableFileIsNamed() {
        assertThatThrownBy(() -> loader.load(Path.of("/nonexistent/ferry.yaml")))
                .hasMessage("/nonexistent/ferry.yaml: cannot read the configuration file (no such file)");
    }

    @Test
    void aFrontendNeedsSentinelsOrServers() {
        assertThatThrownBy(() -> parse("frontends:\n  - name: x\n    bind: 127.0.0.1:1\n"))
                .hasMessageStartingWith("frontends[0]: needs sentinels: (recommended) or servers:");
    }

    @Test
    void anEmptyFileSaysWhatIsMissing() {
        assertThatThrownBy(() -> parse("")).hasMessageStartingWith("frontends: missing");
    }

    private static final String STATIC = """
            frontends:
              - name: cache
                bind: 127.0.0.1:6379
                servers: [127.0.0.1:6380]
            """;

    @Test
    void withSentinelsAMasterIsDownOnlyWhenTheSentinelsSaySoUnlessDownAfterIsSet() throws Exception {
        assertThat(parse(FULL).frontends().get(0).downAfter()).isEmpty();
        assertThat(parse(FULL.replace("    master: mymaster", "    master: mymaster\n    down-after: 10s")).frontends().get(0).downAfter())
                .contains(Duration.ofSeconds(10));
    }

    @Test
    void withStaticServersDownAfterDefaultsToSentinelsOwnDefault() throws Exception {
        assertThat(parse(STATIC).frontends().get(0).downAfter()).contains(Duration.ofSeconds(30));
        assertThat(parse(STATIC + "    down-after: 5s\n").frontends().get(0).downAfter()).contains(Duration.ofSeconds(5));
    }

    @Test
    void aDownAfterShorterThanTheCheckTimeoutIsRefused() {
        assertThatThrownBy(() -> parse(FULL.replace("    master: mymaster", "    master: mymaster\n    down-after: 200ms")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("frontends[0].down-after: 200ms is shorter than check.timeout (500ms): a node is known silent only after a check timed out");
    }

    @Test
    void theTripwireIsOnByDefaultAndCanBeTurnedOff() throws Exception {
        assertThat(parse(FULL).frontends().get(0).tripwire()).isTrue();
        assertThat(parse(FULL.replace("    master: mymaster", "    master: mymaster\n    tripwire: off")).frontends().get(0).tripwire())
                .isFalse();
        assertThatThrownBy(() -> parse(FULL.replace("    master: mymaster", "    master: mymaster\n    tripwire: maybe")))
                .isInstanceOf(ConfigException.class).hasMessage("frontends[0].tripwire: 'maybe' is not true or false");
    }

    @Test
    void withStaticServersTheTripwireIsOffUnlessAskedFor() throws Exception {
        assertThat(parse(STATIC).frontends().get(0).tripwire()).as("the data path follows -READONLY itself").isFalse();
        assertThat(parse(STATIC + "    tripwire: on\n").frontends().get(0).tripwire()).isTrue();
    }
}
