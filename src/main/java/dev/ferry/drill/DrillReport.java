package dev.ferry.drill;

import dev.ferry.config.HostPort;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The drill's report: the switch each instance made, each writer's failures and losses, and the verdict. */
final class DrillReport {
    private final DrillPlan plan;
    private final Duration timeout;
    private final PrintWriter out;

    DrillReport(DrillPlan plan, Duration timeout, PrintWriter out) {
        this.plan = plan;
        this.timeout = timeout;
        this.out = out;
    }

    /** Prints the report; 0 when every instance recovered and no acknowledged write was lost, else 1. */
    int print(HostPort old, String oldRunId, DrillOutcome o, long t0, Map<DrillTarget, List<DrillWriter>> writers,
              Map<DrillTarget, SwitchProbe> probes) {
        out.println();
        out.println("Switch seen through each instance (times from the failover command):");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"instance", "address", "last write on old", "first write on new", "gap", "longest stall"});
        for (DrillTarget t : plan.targets()) {
            SwitchProbe p = probes.get(t);
            long lastOld = p.lastOn(oldRunId, t0);
            long firstNew = o.runId() == null ? -1 : p.firstOn(o.runId(), t0);
            rows.add(new String[] {t.name(), t.address().toString(), lastOld < 0 ? "-" : "+" + ms(lastOld),
                    firstNew < 0 ? "NONE" : "+" + ms(firstNew), lastOld < 0 || firstNew < 0 ? "-" : ms(firstNew - lastOld),
                    ms(p.longestStall())});
        }
        table(out, rows);

        out.println();
        out.println("Writers:");
        rows = new ArrayList<>();
        rows.add(new String[] {"writer", "acked", "failed", "failures by kind", "longest failure", "lost"});
        int lostTotal = 0;
        int ackedTotal = 0;
        boolean counted = o.master() != null;
        for (List<DrillWriter> ws : writers.values()) {
            for (DrillWriter w : ws) {
                String lost = "?";
                if (o.master() != null) {
                    try {
                        int n = w.load().countLost(o.master());
                        lostTotal += n;
                        lost = Integer.toString(n);
                    } catch (Exception e) {
                        counted = false;
                        lost = "? (" + e.getMessage() + ")";
                    }
                }
                ackedTotal += w.load().acked().size();
                Map<String, Integer> f = w.load().failures();
                rows.add(new String[] {w.name(), Integer.toString(w.load().acked().size()), Integer.toString(w.load().failed()),
                        f.isEmpty() ? "-" : f.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", ")),
                        ms(w.load().longestFailure().toNanos()), lost});
            }
        }
        table(out, rows);

        out.println();
        int lateOnOld = o.agreedNanos() < 0 ? 0 : probes.values().stream().mapToInt(p -> p.countOnAfter(oldRunId, t0 + o.agreedNanos())).sum();
        if (!counted) {
            out.println("Writes to a demoted master: unknown (no new master to read the acknowledged writes from)");
        } else if (lostTotal == 0 && lateOnOld == 0) {
            out.println("Writes to a demoted master: none");
        } else {
            out.println("Writes to a demoted master: YES: " + lostTotal + " acknowledged writes are missing on " + o.master()
                    + (lateOnOld > 0 ? ", and " + lateOnOld + " probe writes were taken by " + old + " after the Sentinels named " + o.master() : ""));
        }
        if (counted) {
            out.println("Every acknowledged write on the new master " + o.master() + ": "
                    + (lostTotal == 0 ? "yes (" + ackedTotal + " of " + ackedTotal + ")" : "NO: " + lostTotal + " of " + ackedTotal + " missing"));
        }
        boolean pass = o.recovered() && counted && lostTotal == 0 && lateOnOld == 0;
        out.println("Result: " + (pass ? "PASS" : "FAIL") + (o.recovered() ? "" : " (no recovery within " + timeout.toSeconds() + " s: " + o.missing() + ")"));
        out.flush();
        return pass ? 0 : 1;
    }

    /** Rows in columns, the first row the header. */
    static void table(PrintWriter out, List<String[]> rows) {
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder(" ");
            for (int i = 0; i < r.length; i++) {
                b.append(' ').append(r[i]);
                if (i < r.length - 1) b.append(" ".repeat(w[i] - r[i].length() + 1));
            }
            out.println(b);
        }
    }

    static String ms(long nanos) {
        return nanos / 1_000_000 + " ms";
    }
}
