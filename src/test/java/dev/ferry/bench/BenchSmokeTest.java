package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Runs {@code bench/run.sh --smoke} so the benchmark script cannot rot unnoticed. */
@Tag("integration")
class BenchSmokeTest {

    private static final long TIMEOUT_MINUTES = 5;

    @Test
    void theSmokeBenchmarkRunsAndReportsThroughputForFerryAndForTheMasterDirectly() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        assertThat(root.resolve("bench/run.sh")).as("run from the project root").exists();
        Path out = root.resolve("target/bench-smoke");
        Path report = out.resolve("BENCHMARKS.md");
        Files.deleteIfExists(report);
        Files.createDirectories(out);
        Path log = root.resolve("target/bench-smoke.log");

        ProcessBuilder pb = new ProcessBuilder("bash", "bench/run.sh", "--smoke", "--out", "target/bench-smoke")
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        String classPath = testClassPath();
        // Ferry from the classes Maven just compiled, instead of a nested `mvn package` for target/ferry.jar.
        if (classPath != null) pb.environment().put("FERRY_CLASSPATH", classPath);
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            fail("bench/run.sh --smoke did not finish in " + TIMEOUT_MINUTES + " minutes; log:\n" + tail(log));
        }

        assertThat(p.exitValue()).as("exit status of bench/run.sh --smoke; log:\n%s", tail(log)).isZero();
        assertThat(report).exists();
        String text = Files.readString(report);
        assertThat(throughputRow(text, "direct")).as("direct req/s (SET, GET at -P 1 and -P 16)")
                .hasSize(4).allSatisfy(v -> assertThat(v).isPositive());
        assertThat(throughputRow(text, "Ferry")).as("Ferry req/s (SET, GET at -P 1 and -P 16)")
                .hasSize(4).allSatisfy(v -> assertThat(v).isPositive());
    }

    /** The numbers in the row {@code | name | ...} of the table under "## Throughput". */
    private static List<Double> throughputRow(String report, String name) {
        String row = report.lines().dropWhile(l -> !l.startsWith("## Throughput"))
                .filter(l -> l.startsWith("| " + name + " |")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + name + " in the report:\n" + report));
        List<Double> values = new ArrayList<>();
        for (String cell : Arrays.asList(row.split("\\|")).subList(2, row.split("\\|").length)) {
            String v = cell.trim().replace(",", "");
            if (!v.isEmpty()) values.add(v.matches("[0-9.]+") ? Double.parseDouble(v) : -1.0);
        }
        return values;
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
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
