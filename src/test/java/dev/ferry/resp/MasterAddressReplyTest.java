package dev.ferry.resp;

import static dev.ferry.resp.CapturedReplies.decode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.HostPort;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading SENTINEL GET-MASTER-ADDR-BY-NAME: an address, or null for everything else. */
class MasterAddressReplyTest {

    @Test
    void aKnownNameGivesTheMastersAddress() {
        assertThat(MasterAddressReply.parse(decode(CapturedReplies.MASTER_ADDR))).isEqualTo(HostPort.parse("127.0.0.1:17391"));
    }

    @Test
    void anUnknownNameGivesNull() {
        assertThat(decode(CapturedReplies.NULL_ARRAY)).isNull();
        assertThat(MasterAddressReply.parse(decode(CapturedReplies.NULL_ARRAY))).isNull();
    }

    @Test
    void anErrorReplyGivesNull() {
        assertThat(MasterAddressReply.parse(new ErrorReply("NOAUTH Authentication required."))).isNull();
    }

    @Test
    void anythingButAHostAndAPortGivesNull() {
        assertThat(MasterAddressReply.parse("127.0.0.1:6379")).isNull();
        assertThat(MasterAddressReply.parse(List.of("127.0.0.1"))).isNull();
        assertThat(MasterAddressReply.parse(List.of("127.0.0.1", "6379", "extra"))).isNull();
        assertThat(MasterAddressReply.parse(List.of("127.0.0.1", "port"))).isNull();
        assertThat(MasterAddressReply.parse(List.of("127.0.0.1", "-1"))).isNull();
        assertThat(MasterAddressReply.parse(List.of(" ", "6379"))).isNull();
    }

    @Test
    void aPortSentAsAnIntegerIsReadToo() {
        assertThat(MasterAddressReply.parse(List.of("10.0.0.1", 6379L))).isEqualTo(HostPort.parse("10.0.0.1:6379"));
    }
}
