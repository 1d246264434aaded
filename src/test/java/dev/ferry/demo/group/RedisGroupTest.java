package dev.ferry.demo.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.config.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("integration")
class RedisGroupTest {

    @Test
    void aNewGroupHasOneMasterAndTwoReplicasThatEverySentinelNames() {
        try (RedisGroup group = RedisGroup.start()) {
            HostPort master = group.nodeAddresses().get(0);
            List<HostPort> replicas = group.nodeAddresses().subList(1, 3);

            assertThat(group.nodes()).hasSize(3);
            assertThat(group.masterByRole()).isEqualTo(master);
            assertThat(replicas).allSatisfy(r -> assertThat(group.role(r)).isEqualTo("slave"));
            assertThat(group.sentinels()).hasSize(3).allSatisfy(s ->
                    assertThat(s.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"))
                            .isEqualTo(List.of(master.host(), Integer.toString(master.port()))));
            assertThat(group.sentinelMaster()).isEqualTo(master);
        }
    }

    @Test
    void failoverToMakesTheTargetMasterByRole() {
        try (RedisGroup group = RedisGroup.builder().password("s3cret").sentinels(1).start()) {
            HostPort oldMaster = group.nodeAddresses().get(0);
            HostPort target = group.nodeAddresses().get(1);

            group.failoverTo(target);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(group.role(target)).isEqualTo("master");
                assertThat(group.role(oldMaster)).isEqualTo("slave");
            });
            assertThat(group.masterByRole()).isEqualTo(target);
        }
    }

    @Test
    void sentinelFailoverEndsWithEverySentinelNamingTheNewMaster() {
        try (RedisGroup group = RedisGroup.start()) {
            HostPort oldMaster = group.masterByRole();

            group.sentinelFailover();

            await().atMost(Duration.ofSeconds(10)).until(() -> !group.sentinelMaster().equals(oldMaster));
            HostPort newMaster = group.sentinelMaster();
            group.awaitMaster(newMaster, Duration.ofSeconds(20));
            assertThat(group.awaitSentinelsAgree(Duration.ofSeconds(1))).isEqualTo(newMaster);
        }
    }

    @Test
    void aKilledNodeIsDown() {
        try (RedisGroup group = RedisGroup.builder().replicas(1).sentinels(1).start()) {
            RedisProcess replica = group.nodes().get(1);

            replica.kill();

            assertThat(replica.alive()).isFalse();
            assertThat(group.role(replica.address())).isEqualTo("down");
        }
    }

    @Test
    void aPausedNodeIsDownUntilResumed() {
        try (RedisGroup group = RedisGroup.builder().replicas(1).sentinels(1).start()) {
            RedisProcess replica = group.nodes().get(1);

            replica.pause();
            assertThat(group.role(replica.address())).isEqualTo("down");

            replica.resume();
            assertThat(group.role(replica.address())).isEqualTo("slave");
        }
    }

    @Test
    void aRestartedReplicaRejoinsItsMaster() {
        try (RedisGroup group = RedisGroup.builder().replicas(1).sentinels(1).start()) {
            RedisProcess replica = group.nodes().get(1);
            long firstPid = replica.pid();

            replica.kill();
            replica.restart();

            assertThat(replica.pid()).isNotEqualTo(firstPid);
            group.awaitReplicasInSync(Duration.ofSeconds(10));
            assertThat(group.role(replica.address())).isEqualTo("slave");
        }
    }

    @Test
    void closeLeavesNoProcessAlive() {
        RedisGroup group = RedisGroup.builder().replicas(1).sentinels(1).start();
        List<Long> pids = Stream.concat(group.nodes().stream(), group.sentinels().stream())
                .map(RedisProcess::pid).toList();
        Path dir = group.dir();

        group.close();
        group.close();

        assertThat(pids).hasSize(3).allSatisfy(pid ->
                assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
        assertThat(dir).doesNotExist();
    }
}
