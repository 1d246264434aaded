package dev.ferry.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Redis's own test suite (the tests/ of Debian's redis 7.0.15, external mode) run by
 * {@code scripts/redis-suite.sh} against a redis-server directly and through Ferry in front of an
 * identical one (issue 15: Ferry is invisible). Every test that passes directly must pass through Ferry.
 * docs/REDIS-SUITE.md names each test that fails only through Ferry today, with its cause.
 */
@Tag("integration")
class RedisSuiteThroughFerryTest {

    /** The units CI runs, about five minutes both ways together; docs/REDIS-SUITE.md has each one's time. */
    static final List<String> UNITS = List.of(
            "unit/type/list", "unit/type/zset", "unit/type/stream", "unit/type/stream-cgroups", "unit/pause",
            "unit/slowlog", "unit/tracking", "unit/multi", "unit/latency-monitor", "unit/functions",
            "integration/redis-cli", "unit/scripting", "unit/protocol", "unit/pubsub", "unit/introspection",
            "unit/querybuf", "unit/keyspace", "unit/quit");

    /**
     * Tests allowed to fail through Ferry although they pass directly, with the reason: only tests that
     * are racy through any forwarder (they send on two connections and assume Redis reads them in order).
     */
    static final Map<String, String> RACY_THROUGH_ANY_FORWARDER = Map.of();

    private static final long TIMEOUT_MINUTES = 40;
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path OUT = ROOT.resolve("target/redis-suite-ci");
    private static final Path LOG = ROOT.resolve("target/redis-suite-ci.log");

    private static SuiteComparison suite;

    @BeforeAll
    static void runTheSuiteDirectlyAndThroughFerry() throws Exception {
        assertThat(ROOT.resolve("scripts/redis-suite.sh")).as("run from the project root").exists();
        List<String> command = new ArrayList<>(List.of("bash", "scripts/redis-suite.sh", "--out", OUT.toString()));
        command.addAll(UNITS);
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(LOG.toFile());
        // Ferry from the classes Maven just compiled, instead of a nested `mvn package` for target/ferry.jar.
        String classPath = testClassPath();
        if (classPath != null) pb.environment().put("FERRY_CLASSPATH", classPath);
        Files.deleteIfExists(OUT.resolve("compare.tsv"));
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            fail("scripts/redis-suite.sh did not finish in " + TIMEOUT_MINUTES + " minutes; log:\n" + tail(LOG));
        }
        // 0: no test fails only through Ferry; 1: some do (the test below names them); else it could not run.
        assertThat(p.exitValue()).as("exit status of scripts/redis-suite.sh; log:\n%s", tail(LOG)).isIn(0, 1);
        suite = SuiteComparison.read(OUT.resolve("compare.tsv"));
    }

    @Test
    void everyUnitPassesTestsWhenRunDirectlySoTheComparisonMeansSomething() {
        for (String unit : UNITS) {
            assertThat(suite.passedDirectly(unit)).as("tests of %s passed directly (log: %s)", unit, LOG).isPositive();
        }
    }

    @Test
    void everyTestThatPassesDirectlyAlsoPassesThroughFerry() {
        List<SuiteComparison.Row> failing = suite.rows().stream()
                .filter(SuiteComparison.Row::failsOnlyThroughFerry)
                .filter(r -> !RACY_THROUGH_ANY_FORWARDER.containsKey(r.id()))  // key: "unit: test name"
                .toList();
        assertThat(failing)
                .as("%d tests of Redis's suite fail only through Ferry (docs/REDIS-SUITE.md: causes; %s: logs):%n%s",
                        failing.size(), OUT, failing.stream().map(SuiteComparison.Row::describe).collect(Collectors.joining("\n")))
                .isEmpty();
    }

    /** The test JVM's class path when it holds the compiled main classes (it does under Surefire). */
    private static String testClassPath() {
        String cp = System.getProperty("java.class.path", "");
        boolean hasMain = Arrays.stream(cp.split(File.pathSeparator))
                .anyMatch(e -> e.replace('\\', '/').endsWith("target/classes"));
        return hasMain ? cp : null;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
