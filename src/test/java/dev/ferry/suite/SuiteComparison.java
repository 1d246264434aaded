package dev.ferry.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The rows of {@code compare.tsv} that {@code scripts/redis-suite.sh} writes: one test of Redis's suite, run both ways. */
record SuiteComparison(List<Row> rows) {

    /** One test: its outcome directly and through Ferry ({@code ok}, {@code err}, {@code hung} or {@code notrun}). */
    record Row(String unit, String name, String direct, String ferry, String ferryError) {
        String id() {
            return unit + ": " + name;
        }

        boolean failsOnlyThroughFerry() {
            return direct.equals("ok") && !ferry.equals("ok");
        }

        String describe() {
            String why = ferry.equals("notrun") ? "did not run: its unit stopped before it" : ferryError;
            return String.format("%-26s %-6s %s  --  %s", unit, ferry, name, why);
        }
    }

    static SuiteComparison read(Path compareTsv) throws IOException {
        List<Row> rows = Files.readAllLines(compareTsv).stream()
                .filter(line -> !line.isBlank())
                .map(line -> line.split("\t", -1))
                .map(f -> new Row(f[0], f[1], f[2], f[3], f.length > 4 ? f[4] : ""))
                .toList();
        return new SuiteComparison(rows);
    }

    long passedDirectly(String unit) {
        return rows.stream().filter(r -> r.unit().equals(unit) && r.direct().equals("ok")).count();
    }
}
