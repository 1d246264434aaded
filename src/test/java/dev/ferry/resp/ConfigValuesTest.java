package dev.ferry.resp;

import static dev.ferry.resp.CapturedReplies.decode;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading CONFIG GET: name/value pairs, none for an error or a name that matches nothing. */
class ConfigValuesTest {

    @Test
    void aPatternGivesEveryMatchingName() {
        ConfigValues config = ConfigValues.parse(decode(CapturedReplies.CONFIG_MIN_REPLICAS));

        assertThat(config.intValue("min-replicas-to-write")).isZero();
        assertThat(config.intValue("min-replicas-max-lag")).isEqualTo(10);
    }

    @Test
    void oneNameGivesItsValue() {
        assertThat(ConfigValues.parse(decode(CapturedReplies.CONFIG_REPLICA_PRIORITY)).get("replica-priority")).isEqualTo("100");
    }

    @Test
    void aNameThatMatchesNothingHasNoValue() {
        ConfigValues config = ConfigValues.parse(decode(CapturedReplies.EMPTY_ARRAY));

        assertThat(config.values()).isEmpty();
        assertThat(config.get("replica-priority")).isNull();
        assertThat(config.intValue("min-replicas-to-write")).isEqualTo(-1);
    }

    @Test
    void anErrorReplyHasNoValues() {
        assertThat(ConfigValues.parse(new ErrorReply("NOPERM this user has no permissions to run the 'config|get' command")).values()).isEmpty();
    }

    @Test
    void aValueThatIsNotANumberReadsAsMinusOne() {
        ConfigValues config = ConfigValues.parse(List.of("min-replicas-to-write", "two", "min-replicas-max-lag", "10"));

        assertThat(config.intValue("min-replicas-to-write")).isEqualTo(-1);
        assertThat(config.intValue("min-replicas-max-lag")).isEqualTo(10);
    }
}
