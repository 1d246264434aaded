package dev.ferry.resp;

import static dev.ferry.resp.CapturedReplies.decode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.HostPort;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading SENTINEL MASTER, REPLICAS and SENTINELS: field lists with typed accessors, -1 and null for what is missing. */
class SentinelFieldsTest {

    @Test
    void theMasterRecordGivesAddressEpochFlagsAndCounts() {
        SentinelFields master = SentinelFields.parse(decode(CapturedReplies.SENTINEL_MASTER));

        assertThat(master.get("name")).isEqualTo("mymaster");
        assertThat(master.address()).isEqualTo(HostPort.parse("127.0.0.1:17391"));
        assertThat(master.flags()).isEqualTo("master");
        assertThat(master.failoverInProgress()).isFalse();
        assertThat(master.configEpoch()).isZero();
        assertThat(master.downAfterMillis()).isEqualTo(2000);
        assertThat(master.numOtherSentinels()).isEqualTo(1);
        assertThat(master.numReplicas()).isEqualTo(1);
        assertThat(master.quorum()).isEqualTo(1);
    }

    @Test
    void theMasterRecordSaysWhenThisSentinelLeadsAFailover() {
        SentinelFields master = SentinelFields.parse(decode(CapturedReplies.SENTINEL_MASTER_FAILING_OVER));

        assertThat(master.failoverInProgress()).isTrue();
        assertThat(master.hasFlag("force_failover")).isTrue();
        assertThat(master.hasFlag("failover")).as("flags are whole words").isFalse();
    }

    @Test
    void eachReplicaGivesItsAddressItsFlagsAndItsPriority() {
        List<SentinelFields> replicas = SentinelFields.parseEach(decode(CapturedReplies.SENTINEL_REPLICAS));

        assertThat(replicas).hasSize(1);
        SentinelFields replica = replicas.get(0);
        assertThat(replica.address()).isEqualTo(HostPort.parse("127.0.0.1:17392"));
        assertThat(replica.flags()).isEqualTo("slave");
        assertThat(replica.subjectivelyDown()).isFalse();
        assertThat(replica.replicaPriority()).isEqualTo(100);
        assertThat(SentinelFields.addressesIn(decode(CapturedReplies.SENTINEL_REPLICAS))).containsExactly(HostPort.parse("127.0.0.1:17392"));
    }

    @Test
    void aReplicaThatIsDownIsFlaggedSDown() {
        SentinelFields replica = SentinelFields.parseEach(decode(CapturedReplies.SENTINEL_REPLICAS_DOWN)).get(0);

        assertThat(replica.subjectivelyDown()).isTrue();
        assertThat(replica.hasFlag("disconnected")).isTrue();
        assertThat(replica.address()).isEqualTo(HostPort.parse("127.0.0.1:17391"));
    }

    @Test
    void theOtherSentinelsGiveTheirAddresses() {
        assertThat(SentinelFields.addressesIn(decode(CapturedReplies.SENTINEL_SENTINELS))).containsExactly(HostPort.parse("127.0.0.1:17394"));
        assertThat(SentinelFields.parseEach(decode(CapturedReplies.SENTINEL_SENTINELS)).get(0).flags()).isEqualTo("sentinel");
    }

    @Test
    void anUnknownMasterNameGivesNoFieldsAndNoEntries() {
        Object error = decode(CapturedReplies.NO_SUCH_MASTER);

        assertThat(error).isEqualTo(new ErrorReply("ERR No such master with that name"));
        assertThat(SentinelFields.parse(error)).isEqualTo(SentinelFields.NONE);
        assertThat(SentinelFields.parse(error).isEmpty()).isTrue();
        assertThat(SentinelFields.parseEach(error)).isEmpty();
        assertThat(SentinelFields.addressesIn(error)).isEmpty();
    }

    @Test
    void missingFieldsReadAsMinusOneNullOrNoFlags() {
        SentinelFields none = SentinelFields.parse(List.of());

        assertThat(none.address()).isNull();
        assertThat(none.get("ip")).isNull();
        assertThat(none.flags()).isEmpty();
        assertThat(none.failoverInProgress()).isFalse();
        assertThat(none.configEpoch()).isEqualTo(-1);
        assertThat(none.downAfterMillis()).isEqualTo(-1);
        assertThat(none.numOtherSentinels()).isEqualTo(-1);
        assertThat(none.numReplicas()).isEqualTo(-1);
        assertThat(none.quorum()).isEqualTo(-1);
        assertThat(none.replicaPriority()).isEqualTo(-1);
    }

    @Test
    void valuesThatAreNotNumbersReadAsMinusOne() {
        SentinelFields odd = SentinelFields.parse(List.of("ip", "10.0.0.1", "port", "http", "config-epoch", "new", "quorum", "99999999999"));

        assertThat(odd.address()).as("no port, no address").isNull();
        assertThat(odd.configEpoch()).isEqualTo(-1);
        assertThat(odd.quorum()).as("beyond an int").isEqualTo(-1);
    }

    @Test
    void anOddLastNameIsDroppedAndTheFirstOfTwoEqualNamesWins() {
        SentinelFields f = SentinelFields.parse(List.of("ip", "10.0.0.1", "port", "6379", "ip", "10.0.0.9", "flags"));

        assertThat(f.address()).isEqualTo(HostPort.parse("10.0.0.1:6379"));
        assertThat(f.flags()).isEmpty();
    }

    @Test
    void entriesThatAreNotFieldListsAreLeftOut() {
        Object reply = List.of("127.0.0.1:6379", List.of("ip", "10.0.0.2", "port", "6380"), List.of("ip", "10.0.0.3"));

        assertThat(SentinelFields.parseEach(reply)).hasSize(2);
        assertThat(SentinelFields.addressesIn(reply)).containsExactly(HostPort.parse("10.0.0.2:6380"));
        assertThat(SentinelFields.parseEach("nothing")).isEmpty();
    }
}
