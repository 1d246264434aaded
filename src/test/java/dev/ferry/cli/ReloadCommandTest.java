package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry reload} checks the file before it touches the running Ferry, and says when there is none. */
class ReloadCommandTest {
    @TempDir Path dir;

    @Test
    void aFileThatDoesNotValidateIsNotSentAndExitsTwo() throws Exception {
        Path p = dir.resolve("ferry.yaml");
        Files.writeString(p, "frontends:\n  - name: orders\n    bind: 127.0.0.1:6379\n    servers: [127.0.0.1:6380]\n"
                + "    tls: { cert: missing.crt, key: missing.key }\n");
        CliRun r = CliRun.ferry("reload", "--config", p.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("ferry: frontends[0].tls.cert: " + dir.resolve("missing.crt") + ": no such file")
                .contains("nothing reloaded; the running configuration stays").doesNotContain("\tat ");
    }

    @Test
    void withoutARunningFerryItSaysSoAndExitsOne() throws Exception {
        Path p = dir.resolve("ferry.yaml");
        Files.writeString(p, "frontends:\n  - name: orders\n    bind: 127.0.0.1:6379\n    servers: [127.0.0.1:6380]\n");
        CliRun r = CliRun.ferry("reload", "--config", p.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("ferry: no 'ferry run' process started with " + p + " was found");
    }
}
