package dev.ferry.admin;

import static dev.ferry.admin.StatsPage.esc;
import static dev.ferry.admin.StatsPage.num;

import dev.ferry.admin.StatsModel.FrontendView;

/** The stats page's section for a replica frontend: each node in or out and why, its lag and sessions. */
final class ReplicasSection {
    private ReplicasSection() {}

    static void render(StringBuilder h, FrontendView f) {
        ReplicasView r = f.replicas();
        if (!r.enabled()) return;
        h.append("<h3>Replica endpoint</h3><div class=\"notes\">reads from replicas of the master ")
                .append(f.master() == null ? "(none known)" : "<code>" + esc(f.master()) + "</code>")
                .append(" within max-lag ").append(r.maxLagMillis() < 0 ? "(none)" : r.maxLagMillis() + " ms")
                .append(" and max-lag-bytes ").append(r.maxLagBytes() < 0 ? "(none)" : num(r.maxLagBytes()))
                .append("; while none qualifies: ").append(r.fallback().equals("master") ? "read from the master" : "refuse")
                .append(r.fromMaster() ? "; the master serves reads too" : "").append("</div>");
        if (r.in().isEmpty()) {
            h.append("<div class=\"warnings\"><div>&#9888; no replica qualifies: ")
                    .append(r.fallingBack() ? "reads go to the master (replica-fallback: master)" : "sessions wait, then get -MASTERDOWN")
                    .append("</div></div>");
        }
        h.append("<table class=\"replicas\"><tr><th>Node</th><th>Reads</th><th>Lag (bytes)</th><th>Lag (ms)</th>")
                .append("<th>Sessions now</th><th>Why out</th></tr>");
        for (ReplicasView.Row row : r.rows()) {
            h.append("<tr class=\"").append(row.in() ? "" : "down").append("\"><td><code>").append(esc(row.node())).append("</code></td><td>")
                    .append(row.in() ? "<span class=\"pill p-replica\">IN</span>" : "<span class=\"pill p-down\">OUT</span>")
                    .append("</td><td class=\"n\">").append(row.lagBytes() < 0 ? "&ndash;" : num(row.lagBytes()))
                    .append("</td><td class=\"n\">").append(row.lagMillis() < 0 ? "&ndash;" : num(row.lagMillis()))
                    .append("</td><td class=\"n\">").append(num(row.sessions()))
                    .append("</td><td>").append(row.in() ? "" : esc(row.why())).append("</td></tr>");
        }
        h.append("</table>");
    }
}
