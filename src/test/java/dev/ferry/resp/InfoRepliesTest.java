package dev.ferry.resp;

import static dev.ferry.resp.CapturedReplies.decode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.HostPort;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading INFO: its field lines, and the replicas a master's replication section lists. */
class InfoRepliesTest {

    @Test
    void infoIsReadAsItsFieldLinesWithoutTheSectionHeader() {
        Map<String, String> sentinel = InfoFields.parse(decode(CapturedReplies.INFO_SENTINEL));

        assertThat(sentinel).containsEntry("sentinel_tilt", "0").containsEntry("sentinel_masters", "1")
                .containsEntry("master0", "name=mymaster,status=ok,address=127.0.0.1:17391,slaves=1,sentinels=2")
                .doesNotContainKey("# Sentinel");
    }

    @Test
    void anErrorReplyHasNoInfoFields() {
        assertThat(InfoFields.parse(new ErrorReply("LOADING Redis is loading the dataset in memory"))).isEmpty();
    }

    @Test
    void aMastersReplicationSectionListsItsReplicas() {
        Map<String, String> replication = InfoFields.parse(decode(CapturedReplies.INFO_REPLICATION));

        assertThat(replication).containsEntry("role", "master").containsEntry("master_repl_offset", "3840");
        assertThat(InfoReplica.listedIn(replication)).containsExactly(new InfoReplica(HostPort.parse("127.0.0.1:17392"), "online", 3826, 0));
        assertThat(InfoReplica.listedIn(replication).get(0).online()).isTrue();
    }

    @Test
    void aReplicaLineWithoutOffsetOrLagReadsThemAsMinusOne() {
        assertThat(InfoReplica.listedIn(Map.of("slave0", "ip=10.0.0.2,port=6379,state=wait_bgsave")))
                .containsExactly(new InfoReplica(HostPort.parse("10.0.0.2:6379"), "wait_bgsave", -1, -1));
    }

    @Test
    void replicaLinesWithoutAnAddressAreLeftOutAndOtherFieldsIgnored() {
        Map<String, String> replication = Map.of(
                "slave0", "ip=10.0.0.2,state=online,offset=5,lag=0",
                "slave1", "garbage",
                "slave_read_only", "1",
                "slave2", "ip=10.0.0.3,port=6380,state=online,offset=5,lag=1");

        assertThat(InfoReplica.listedIn(replication)).containsExactly(new InfoReplica(HostPort.parse("10.0.0.3:6380"), "online", 5, 1));
    }
}
