package dev.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What AUTH, HELLO and SELECT ask for, read the way Redis reads them. */
class LoginTest {
    private static final Identity NOW = new Identity("app", 2, 2);

    private static Login of(int flags, String... args) {
        List<byte[]> a = Arrays.stream(args).map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
        return Login.of(flags, a, NOW);
    }

    @Test
    void authWithOneArgumentIsTheDefaultUser() {
        Login l = of(CommandTable.AUTH, "AUTH", "secret");
        assertThat(l.target()).isEqualTo(new Identity("default", 2, 2));
        assertThat(l.user()).isEqualTo("default");
        assertThat(new String(l.password(), StandardCharsets.UTF_8)).isEqualTo("secret");
        assertThat(l.covers()).isEqualTo(CommandTable.AUTH);
    }

    @Test
    void authWithAUserKeepsTheDatabaseAndProtocol() {
        assertThat(of(CommandTable.AUTH, "AUTH", "bob", "pw").target()).isEqualTo(new Identity("bob", 2, 2));
    }

    @Test
    void selectOfAnIntegerMovesTheDatabaseAndAnythingElseIsRedissToRefuse() {
        assertThat(of(CommandTable.SELECT, "SELECT", "5").target()).isEqualTo(new Identity("app", 5, 2));
        assertThat(of(CommandTable.SELECT, "SELECT", "five")).as("not an integer: Redis's error, nothing changes").isNull();
        assertThat(of(CommandTable.SELECT, "SELECT", "-1")).isNull();
        assertThat(of(CommandTable.SELECT, "SELECT", "05")).as("Redis reads no leading zero as an integer").isNull();
    }

    @Test
    void helloAloneChangesNothing() {
        assertThat(of(CommandTable.HELLO, "HELLO")).isNull();
    }

    @Test
    void helloWithAuthSetsUserAndProtocolAtOnce() {
        Login l = of(CommandTable.HELLO, "HELLO", "3", "AUTH", "bob", "pw");
        assertThat(l.target()).isEqualTo(new Identity("bob", 2, 3));
        assertThat(l.covers()).isEqualTo(CommandTable.HELLO | CommandTable.AUTH);
        assertThat(l.send()).as("sent as the client wrote it").isNull();
    }

    @Test
    void helloSetnameIsTakenOutAndTheNameKeptForTheSession() {
        Login l = of(CommandTable.HELLO, "HELLO", "3", "AUTH", "bob", "pw", "SETNAME", "worker");
        assertThat(new String(l.name(), StandardCharsets.UTF_8)).isEqualTo("worker");
        assertThat(l.send().toString(StandardCharsets.UTF_8))
                .isEqualTo("*5\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$3\r\nbob\r\n$2\r\npw\r\n");
    }

    @Test
    void helloWithAnInvalidNameIsRefusedLikeRedisRefusesIt() {
        assertThat(of(CommandTable.HELLO, "HELLO", "3", "SETNAME", "bad name").refusal()).isEqualTo(Login.BAD_NAME);
    }

    @Test
    void helloWithAnUnknownOptionOrProtocolIsRedissToRefuse() {
        assertThat(of(CommandTable.HELLO, "HELLO", "4")).isNull();
        assertThat(of(CommandTable.HELLO, "HELLO", "3", "AUTH", "bob")).as("AUTH needs two arguments").isNull();
        assertThat(of(CommandTable.HELLO, "HELLO", "3", "FOO")).isNull();
    }

    @Test
    void resendingTheSameIdentityChangesNothing() {
        assertThat(of(CommandTable.HELLO, "HELLO", "2").changesNothing(NOW)).isTrue();
        assertThat(of(CommandTable.AUTH, "AUTH", "app", "pw").changesNothing(NOW)).as("a password is still Redis's to judge").isFalse();
    }
}
