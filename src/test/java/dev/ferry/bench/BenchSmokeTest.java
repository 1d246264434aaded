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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code bench/run.sh --smoke} (direct, HAProxy, twemproxy and Ferry, reads through the replica endpoints, idle
 * sessions, one FAILOVER TO) so the benchmark cannot rot unnoticed; its figures mean nothing, only that every step
 * ran and was reported.
 */
@Tag("integration")
class BenchSmokeTest {

    private static final long TIMEOUT_MINUTES = 5;

    @Test
    void theSmokeBenchmarkRunsEveryTargetAndJudgesFerryAgainstItsPeers() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        assertThat(root.resolve("bench/run.sh")).as("run from the project root").exists();
        Path out = root.resolve("target/bench-smoke");
        Path report = out.resolve("BENCHMARKS.md");
        Files.deleteIfExists(report);
        Files.createDirectories(out);
        Path log = root.resolve("target/bench-smoke.log");

        ProcessBuilder pb = new ProcessBuilder("bash", "bench/run.sh", "--smoke", "--out", "target/bench-smoke",
                        "--base", String.valueOf(portBase()))
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
        for (String target : List.of("direct", "HAProxy (seed)", "twemproxy", "Ferry")) {
            assertThat(row(text, "## Throughput", target)).as("%s req/s, SET and GET at -P 1 -c 50, -P 1 -c 500, -P 16 -c 50", target)
                    .hasSize(6).allSatisfy(v -> assertThat(v).isPositive());
        }
        List<String> verdict = section(text, "## Verdict").filter(l -> l.startsWith("| ") && !l.startsWith("| target")).toList();
        assertThat(verdict).as("the verdict's rows").hasSizeGreaterThanOrEqualTo(10)
                .allSatisfy(l -> assertThat(l).matches(".*\\| (met|\\*\\*MISSED\\*\\*|not measured) \\|$"));
        assertThat(verdict).as("Ferry judged against twemproxy's req/s from this run")
                .anySatisfy(l -> assertThat(l).contains("≥ twemproxy's").doesNotContain("not measured"));
        assertThat(cells(text, "## Proxy memory", "twemproxy").get(5)).as("idle sessions asked / open / failed through twemproxy")
                .isEqualTo("200 / 200 / 0");
        for (String target : List.of("Ferry, replica endpoint", "HAProxy, role:slave backend")) {
            List<String> reads = cells(text, "## Reads from the replicas", target);
            assertThat(reads.get(0)).as("%s GET req/s at -P 1 -c 50 (share of direct)", target).matches("[0-9,]+ \\([0-9]+%\\)")
                    .doesNotStartWith("0 ");
            // redis1 / redis2 (the master) / redis3: every read on a replica, and some on each.
            assertThat(reads.get(reads.size() - 1)).as("%s: share of the GETs each node ran", target)
                    .matches("[1-9][0-9]*% / 0% / [1-9][0-9]*% of [0-9,]+");
        }
    }

    /**
     * The script's fixed ports start at a base (bench/ports.sh: base..base+11, base+936..939, base+20001..20003); a
     * random one keeps two checkouts' smoke runs on one machine apart. Multiples of 12 below 11,000 never overlap
     * each other's ranges, and stay below the ephemeral ports (32768 and up) that the other tests take.
     */
    private static int portBase() {
        return 10_000 + 12 * ThreadLocalRandom.current().nextInt(77);
    }

    private static Stream<String> section(String report, String heading) {
        return report.lines().dropWhile(l -> !l.startsWith(heading)).skip(1).takeWhile(l -> !l.startsWith("## "));
    }

    /** The cells after the name of the row {@code | name | ...} in the first table under heading. */
    private static List<String> cells(String report, String heading, String name) {
        String row = section(report, heading).filter(l -> l.startsWith("| " + name + " |")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + name + " under " + heading + ":\n" + report));
        String[] cells = row.split("\\|");
        return Arrays.stream(cells).skip(2).map(String::trim).filter(c -> !c.isEmpty()).toList();
    }

    /** Those cells as numbers, -1 for a cell that is not one. */
    private static List<Double> row(String report, String heading, String name) {
        List<Double> values = new ArrayList<>();
        for (String cell : cells(report, heading, name)) {
            String v = cell.replace(",", "");
            values.add(v.matches("[0-9.]+") ? Double.parseDouble(v) : -1.0);
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
