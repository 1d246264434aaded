package dev.ferry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code role: replica} and its keys: defaults, values, and mistakes named by key. */
class ReplicaReadsConfigTest {
    private final ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get);

    private FrontendConfig frontend(String extra) throws ConfigException {
        return loader.parse(Path.of("ferry.yaml"), """
                frontends:
                  - name: reads
                    bind: 127.0.0.1:6380
                    master: mymaster
                    sentinels: [127.0.0.1:26379]
                """ + extra.indent(4)).frontends().get(0);
    }

    @Test
    void aFrontendIsAMasterFrontendUnlessItSaysReplica() throws Exception {
        assertThat(frontend("").readsFromReplicas()).isFalse();
        assertThat(frontend("role: master").replicaReads()).isEmpty();
    }

    @Test
    void aReplicaFrontendBoundsLagByOneSecondAndFallsBackToTheMasterByDefault() throws Exception {
        ReplicaReads r = frontend("role: replica").replicaReads().orElseThrow();
        assertThat(r.maxLag()).contains(Duration.ofSeconds(1));
        assertThat(r.maxLagBytes()).isEmpty();
        assertThat(r.fallback()).isEqualTo(ReplicaReads.Fallback.MASTER);
        assertThat(r.fromMaster()).isFalse();
    }

    @Test
    void everyReplicaKeyIsRead() throws Exception {
        ReplicaReads r = frontend("""
                role: replica
                max-lag: 250ms
                max-lag-bytes: 64kb
                replica-fallback: refuse
                read-from-master: true
                """).replicaReads().orElseThrow();
        assertThat(r.maxLag()).contains(Duration.ofMillis(250));
        assertThat(r.maxLagBytes()).hasValue(64 * 1024);
        assertThat(r.fallback()).isEqualTo(ReplicaReads.Fallback.REFUSE);
        assertThat(r.fromMaster()).isTrue();
        assertThat(frontend("role: replica\nmax-lag: off").replicaReads().orElseThrow().maxLag()).isEmpty();
    }

    @Test
    void mistakesNameTheirKey() {
        assertThatThrownBy(() -> frontend("role: reader")).hasMessage("frontends[0].role: 'reader' is not a role; use master (default) or replica");
        assertThatThrownBy(() -> frontend("max-lag: 1s"))
                .hasMessage("frontends[0].max-lag: applies only to role: replica (this frontend is role: master)");
        assertThatThrownBy(() -> frontend("role: replica\nreplica-fallback: primary")).hasMessageStartingWith(
                "frontends[0].replica-fallback: 'primary' is not a fallback; use master");
        assertThatThrownBy(() -> frontend("role: replica\nmax-lag-bytes: lots"))
                .hasMessage("frontends[0].max-lag-bytes: 'lots' is not a size (e.g. 0, 512kb, 1mb)");
        assertThatThrownBy(() -> frontend("role: replica\nmax-lag: soon")).hasMessageStartingWith("frontends[0].max-lag: 'soon' is not a duration");
    }

    @Test
    void aReloadNamesTheReplicaKeysThatChangedAndStartsNewChecksForThem() throws Exception {
        FrontendConfig master = frontend("");
        FrontendConfig replica = frontend("role: replica");
        FrontendConfig tighter = frontend("role: replica\nmax-lag: 200ms\nreplica-fallback: refuse");
        assertThat(ConfigChanges.keys(master, replica)).containsExactly("role");
        assertThat(ConfigChanges.keys(replica, tighter)).containsExactly("max-lag", "replica-fallback");
        assertThat(ConfigChanges.needsNewTopology(List.of("max-lag"))).isTrue();
        assertThat(ConfigChanges.needsNewUpstream(List.of("role"))).isTrue();
    }
}
