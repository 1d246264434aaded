package dev.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README opens with the two commands that do all set-up on a fresh machine (the demo, the tests),
 * and CI runs exactly that test command: a new engineer's first two lines stay true.
 */
class SetUpCommandsTest {
    static final String DEMO = "./ferry demo";
    static final String TESTS = "scripts/test";

    /** The lines of the first code block, when it comes before the README's first section. */
    private static List<String> firstCommands() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        List<String> block = new ArrayList<>();
        boolean inside = false;
        for (String line : lines) {
            if (line.startsWith("## ")) break;
            if (line.startsWith("```")) {
                if (inside) return block;
                inside = true;
            } else if (inside && !line.isBlank()) {
                block.add(line.strip());
            }
        }
        return List.of();
    }

    /** What .ci/run runs, leaving out its shebang, comments, {@code set} and {@code cd}, and {@code exec}'s own word. */
    private static List<String> ciCommands() throws IOException {
        List<String> commands = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(".ci/run"))) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith("set ") || l.startsWith("cd ")) continue;
            commands.add(l.startsWith("exec ") ? l.substring(5).strip() : l);
        }
        return commands;
    }

    @Test
    void theReadmeOpensWithTheDemoCommandAndTheTestCommand() throws IOException {
        assertThat(firstCommands()).as("the first code block of README.md, before its first section").containsExactly(DEMO, TESTS);
    }

    @Test
    void ciRunsExactlyTheReadmesTestCommand() throws IOException {
        List<String> readme = firstCommands();
        assertThat(readme).hasSize(2);

        assertThat(ciCommands()).as(".ci/run").containsExactly(readme.get(1));
    }

    @Test
    void bothCommandsAreExecutableFilesOfThisCheckout() {
        assertThat(Path.of("ferry")).isExecutable();
        assertThat(Path.of(TESTS)).isExecutable();
    }
}
