package dev.ferry.resp;

import static dev.ferry.resp.CapturedReplies.decode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.HostPort;
import dev.ferry.resp.RoleReply.Master;
import dev.ferry.resp.RoleReply.Replica;
import dev.ferry.resp.RoleReply.ReplicaOffset;
import dev.ferry.resp.RoleReply.Sentinel;
import dev.ferry.resp.RoleReply.Unexpected;
import dev.ferry.resp.RoleReply.Unknown;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading ROLE as Redis 7.0 answers it, and what is left of a reply that is not quite that. */
class RoleReplyTest {

    @Test
    void aMasterGivesItsOffsetAndTheReplicasConnectedToIt() {
        RoleReply role = RoleReply.parse(decode(CapturedReplies.MASTER_ROLE));

        assertThat(role).isEqualTo(new Master(2204, List.of(new ReplicaOffset(HostPort.parse("127.0.0.1:17392"), 2204))));
        assertThat(((Master) role).replicaAddresses()).containsExactly(HostPort.parse("127.0.0.1:17392"));
        assertThat(role.word()).isEqualTo("master");
    }

    @Test
    void aMasterWithoutReplicasListsNone() {
        assertThat(RoleReply.parse(decode(CapturedReplies.MASTER_ROLE_WITHOUT_REPLICAS))).isEqualTo(new Master(291, List.of()));
    }

    @Test
    void aReplicaGivesItsMasterItsLinkAndTheOffsetItProcessed() {
        RoleReply role = RoleReply.parse(decode(CapturedReplies.REPLICA_ROLE));

        assertThat(role).isEqualTo(new Replica(HostPort.parse("127.0.0.1:17391"), "connected", 2472));
        assertThat(((Replica) role).linkUp()).isTrue();
        assertThat(role.word()).isEqualTo("slave");
    }

    @Test
    void aReplicaThatCannotReachItsMasterHasItsLinkDownAndNoOffsetYet() {
        Replica role = (Replica) RoleReply.parse(decode(CapturedReplies.REPLICA_ROLE_CONNECTING));

        assertThat(role.master()).isEqualTo(HostPort.parse("127.0.0.1:17399"));
        assertThat(role.linkState()).isEqualTo("connect");
        assertThat(role.linkUp()).isFalse();
        assertThat(role.offset()).isEqualTo(-1);
    }

    @Test
    void onlyConnectedCountsAsALinkUp() {
        for (String state : List.of("connect", "connecting", "handshake", "sync", "none")) {
            assertThat(new Replica(HostPort.parse("10.0.0.1:6379"), state, 0).linkUp()).as(state).isFalse();
        }
    }

    @Test
    void aSentinelNamesTheMastersItMonitors() {
        RoleReply role = RoleReply.parse(decode(CapturedReplies.SENTINEL_ROLE));

        assertThat(role).isEqualTo(new Sentinel(List.of("mymaster")));
        assertThat(role.word()).isEqualTo("sentinel");
    }

    @Test
    void replicaIsReadLikeSlave() {
        assertThat(RoleReply.parse(List.of("replica", "10.0.0.1", 6379L, "connected", 5L)))
                .isEqualTo(new Replica(HostPort.parse("10.0.0.1:6379"), "connected", 5));
    }

    @Test
    void aRoleWordRedisDoesNotUseIsKeptForMessages() {
        RoleReply role = RoleReply.parse(List.of("arbiter", 1L));

        assertThat(role).isEqualTo(new Unknown("arbiter"));
        assertThat(role.word()).isEqualTo("arbiter");
    }

    @Test
    void anErrorReplyIsNoRole() {
        ErrorReply loading = new ErrorReply("LOADING Redis is loading the dataset in memory");

        assertThat(RoleReply.parse(loading)).isEqualTo(new Unexpected(loading));
        assertThat(RoleReply.parse(loading).word()).isEqualTo("unknown");
    }

    @Test
    void nullAStringAndAnEmptyArrayAreNoRole() {
        assertThat(RoleReply.parse(null)).isInstanceOf(Unexpected.class);
        assertThat(RoleReply.parse("master")).isInstanceOf(Unexpected.class);
        assertThat(RoleReply.parse(List.of())).isInstanceOf(Unexpected.class);
    }

    @Test
    void aMasterWhoseOffsetIsNotANumberHasOffsetMinusOne() {
        assertThat(RoleReply.parse(List.of("master", "lots", List.of()))).isEqualTo(new Master(-1, List.of()));
    }

    @Test
    void aMasterWithoutItsReplicaListListsNone() {
        assertThat(RoleReply.parse(List.of("master"))).isEqualTo(new Master(-1, List.of()));
        assertThat(RoleReply.parse(List.of("master", 7L, "none"))).isEqualTo(new Master(7, List.of()));
    }

    @Test
    void aMasterLeavesOutReplicaEntriesWithoutAnAddress() {
        List<Object> entries = List.of(
                List.of("10.0.0.2", "6379", "100"),
                List.of("10.0.0.3"),
                List.of("10.0.0.4", "sixty", "100"),
                List.of("10.0.0.5", "70000", "100"),
                List.of("", "6379", "100"),
                "10.0.0.6:6379",
                List.of("10.0.0.7", "6379"));

        Master role = (Master) RoleReply.parse(List.of("master", 100L, entries));

        assertThat(role.replicas()).containsExactly(
                new ReplicaOffset(HostPort.parse("10.0.0.2:6379"), 100), new ReplicaOffset(HostPort.parse("10.0.0.7:6379"), -1));
    }

    @Test
    void aShortReplicaReplyKnowsNothingButTheRole() {
        assertThat(RoleReply.parse(List.of("slave", "10.0.0.1", 6379L, "connected"))).isEqualTo(new Replica(null, null, -1));
        assertThat(RoleReply.parse(List.of("slave"))).isEqualTo(new Replica(null, null, -1));
    }

    @Test
    void aReplicaWhoseMasterPortIsNotAPortNamesNoMaster() {
        Replica role = (Replica) RoleReply.parse(List.of("slave", "10.0.0.1", "sixty", "connected", 5L));

        assertThat(role.master()).isNull();
        assertThat(role.offset()).isEqualTo(5);
        assertThat(RoleReply.parse(List.of("slave", "10.0.0.1", 65536L, "connected", 5L))).extracting("master").isNull();
    }

    @Test
    void aReplicaWhoseOffsetIsNotANumberHasOffsetMinusOne() {
        assertThat(RoleReply.parse(List.of("slave", "10.0.0.1", 6379L, "connected", List.of())))
                .isEqualTo(new Replica(HostPort.parse("10.0.0.1:6379"), "connected", -1));
    }

    @Test
    void aSentinelWithoutItsListOfNamesNamesNone() {
        assertThat(RoleReply.parse(List.of("sentinel"))).isEqualTo(new Sentinel(List.of()));
        assertThat(RoleReply.parse(List.of("sentinel", "mymaster"))).isEqualTo(new Sentinel(List.of()));
    }
}
