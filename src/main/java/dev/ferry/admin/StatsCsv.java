package dev.ferry.admin;

import dev.ferry.admin.StatsModel.FrontendView;
import dev.ferry.admin.StatsModel.NodeView;
import java.util.List;
import java.util.Locale;

/**
 * {@code /stats.csv} (also {@code /stats;csv}, as HAProxy spells it): one row per node per frontend
 * after a header line (RFC 4180 quoting), with the frontend's master on every row.
 */
final class StatsCsv {
    static final List<String> HEADER = List.of("frontend", "node", "status", "role", "is_master", "named_by_sentinels",
            "since", "checked_at", "check_latency_ms", "replica_of", "link_up", "offset", "detail",
            "sessions_now", "sessions_total", "bytes_in", "bytes_out", "connect_errors", "sessions_cut",
            "sessions_moved", "commands_resent",
            "frontend_status", "frontend_master", "basis", "config_epoch");

    private StatsCsv() {}

    static String render(StatsModel m) {
        StringBuilder out = new StringBuilder(1024);
        row(out, HEADER);
        for (FrontendView f : m.frontends()) {
            for (NodeView n : f.nodes()) {
                row(out, List.of(f.name(), n.address(), n.status(), n.role(), n.master(), n.named(),
                        text(n.since()), text(n.checkedAt()), n.latencyMicros() < 0 ? "" : String.format(Locale.ROOT, "%.3f", n.latencyMicros() / 1000.0),
                        text(n.replicaOf()), n.linkUp(), n.offset(), n.detail(),
                        n.traffic().sessionsNow(), n.traffic().sessionsTotal(), n.traffic().bytesIn(), n.traffic().bytesOut(),
                        n.traffic().connectErrors(), n.traffic().sessionsCut(),
                        n.traffic().sessionsMoved(), n.traffic().commandsResent(),
                        f.status(), text(f.master()), f.basis(), f.epoch()));
            }
        }
        return out.toString();
    }

    private static String text(Object o) {
        return o == null ? "" : o.toString();
    }

    private static void row(StringBuilder out, List<?> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) out.append(',');
            out.append(quote(String.valueOf(cells.get(i))));
        }
        out.append("\r\n");
    }

    static String quote(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
