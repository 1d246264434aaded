package dev.ferry.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BasicAuthTest {
    private final BasicAuth auth = new BasicAuth("admin", "oracle");

    private static String header(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void acceptsTheConfiguredUserAndPassword() {
        assertThat(auth.accepts(header("admin:oracle"))).isTrue();
    }

    @Test
    void acceptsTheSchemeInAnyCase() {
        assertThat(auth.accepts(header("admin:oracle").replace("Basic", "basic"))).isTrue();
    }

    @Test
    void refusesAWrongPasswordOrUser() {
        assertThat(auth.accepts(header("admin:oracl"))).isFalse();
        assertThat(auth.accepts(header("admin:oracle2"))).isFalse();
        assertThat(auth.accepts(header("root:oracle"))).isFalse();
        assertThat(auth.accepts(header(":"))).isFalse();
    }

    @Test
    void refusesMissingOrMalformedHeaders() {
        assertThat(auth.accepts(null)).isFalse();
        assertThat(auth.accepts("")).isFalse();
        assertThat(auth.accepts("Basic")).isFalse();
        assertThat(auth.accepts("Basic !!!")).isFalse();
        assertThat(auth.accepts(header("adminoracle"))).isFalse();
        assertThat(auth.accepts("Bearer " + header("admin:oracle").substring(6))).isFalse();
    }

    @Test
    void splitsAtTheFirstColonSoPasswordsMayHoldColons() {
        assertThat(new BasicAuth("ops", "a:b:c").accepts(header("ops:a:b:c"))).isTrue();
    }

    @Test
    void comparesUtf8Credentials() {
        assertThat(new BasicAuth("störe", "pässwört").accepts(header("störe:pässwört"))).isTrue();
    }
}
