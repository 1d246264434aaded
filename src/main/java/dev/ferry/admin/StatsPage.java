package dev.ferry.admin;

import dev.ferry.admin.StatsModel.FrontendView;
import dev.ferry.admin.StatsModel.NodeView;
import dev.ferry.admin.StatsModel.SentinelView;
import dev.ferry.admin.StatsModel.SwitchView;
import dev.ferry.admin.StatsModel.Traffic;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * {@code /stats}: one self-contained HTML page (inline CSS, no scripts, no external assets, so it
 * renders on a closed network), readable at a glance: a status banner per frontend, then its
 * counters, nodes, Sentinels, switches and events. Every value is HTML-escaped.
 */
final class StatsPage {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter FULL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private static final String CSS = """
            *{box-sizing:border-box}
            body{margin:0;background:#eef1f5;color:#1d2733;font:14px/1.45 -apple-system,"Segoe UI","DejaVu Sans",Roboto,Helvetica,Arial,sans-serif}
            code,.mono{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px}
            header{background:#1d2733;color:#e8edf3;padding:12px 28px;display:flex;align-items:center;gap:24px;flex-wrap:wrap}
            header .brand{font-size:20px;font-weight:700;letter-spacing:.5px}
            header .brand span{font-weight:400;color:#9fb0c3;margin-left:6px;font-size:15px}
            header .meta{color:#b8c4d2;flex:1}
            header .meta b{color:#fff}
            header nav a{color:#9fd0ff;text-decoration:none;margin-left:16px}
            header nav a:hover{text-decoration:underline}
            main{padding:20px 28px;max-width:1500px;margin:0 auto}
            .summary{display:flex;gap:10px;flex-wrap:wrap;margin-bottom:16px}
            .chip{padding:4px 12px;border-radius:14px;color:#fff;text-decoration:none;font-weight:600}
            section.frontend{background:#fff;border:1px solid #d5dce5;border-radius:8px;margin-bottom:24px;overflow:hidden}
            .banner{padding:14px 20px;color:#fff;display:flex;justify-content:space-between;align-items:center;gap:24px}
            .banner .main{flex:1;min-width:0}
            .banner .name{font-size:13px;text-transform:uppercase;letter-spacing:1px;opacity:.85}
            .banner .state{font-size:24px;font-weight:700}
            .banner .why{opacity:.95;margin-top:2px;font-weight:600}
            .banner .reason{opacity:.88;font-size:13px;margin-top:2px}
            .banner .where{flex:0 0 auto;text-align:right;opacity:.9;font-size:13px;line-height:1.7}
            .banner code{background:rgba(255,255,255,.15);padding:1px 5px;border-radius:3px}
            .ok{background:#1e7d3c}.bad{background:#c62828}.held{background:#b36b00}
            .body{padding:16px 20px 20px}
            .warnings{background:#fff6e0;border:1px solid #f0c36d;border-left:5px solid #e09b00;border-radius:4px;padding:8px 12px;margin-bottom:14px}
            .warnings div{padding:2px 0}
            .notes{background:#f3f6fa;border:1px solid #d5dde8;border-left:5px solid #8aa0bd;border-radius:4px;padding:8px 12px;margin-bottom:14px;color:#334}
            .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin-bottom:18px}
            .card{border:1px solid #e0e5ec;border-radius:6px;padding:8px 12px;background:#fafbfc;white-space:nowrap;overflow:hidden}
            .card .k{color:#5c6b7c;font-size:11px;text-transform:uppercase;letter-spacing:.5px}
            .card .v{font-size:20px;font-weight:600;line-height:1.3}
            .card .note{font-size:12px;color:#5c6b7c}
            .card.alert .v{color:#c62828}
            h3{font-size:13px;text-transform:uppercase;letter-spacing:.8px;color:#46566a;margin:18px 0 8px}
            table{border-collapse:collapse;width:100%}
            th{text-align:left;font-size:12px;font-weight:600;color:#5c6b7c;background:#f3f5f8;border-bottom:1px solid #d5dce5;padding:6px 10px;white-space:nowrap}
            td{border-bottom:1px solid #edf0f4;padding:6px 10px;vertical-align:top}
            td code{white-space:nowrap}
            td.nw{white-space:nowrap}
            td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            tr.master td{background:#eef8f1}
            tr.down td{background:#fdf0f0}
            .pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:700;color:#fff;white-space:nowrap}
            .p-master{background:#1e7d3c}.p-replica{background:#4a6fa5}.p-down{background:#c62828}.p-warn{background:#b36b00}.p-other{background:#6b7785}
            .tag{display:inline-block;padding:0 6px;border:1px solid #b9c3cf;border-radius:8px;font-size:11px;color:#46566a;margin-left:4px}
            .muted{color:#6b7785}
            .small{font-size:12px}
            .grid2{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:24px}
            .grid2>div{overflow-x:auto}
            @media (max-width:1000px){.grid2{grid-template-columns:1fr}}
            ol.events{margin:0;padding:0;list-style:none;max-height:220px;overflow:auto;border:1px solid #edf0f4;border-radius:4px}
            ol.events li{padding:3px 10px;border-bottom:1px solid #f1f3f6}
            ol.events li:nth-child(odd){background:#fafbfc}
            .empty{color:#6b7785;font-style:italic;padding:4px 0}
            footer{color:#6b7785;font-size:12px;text-align:center;padding:4px 0 24px}
            """;

    private StatsPage() {}

    static String render(StatsModel m) {
        StringBuilder h = new StringBuilder(16 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        long refresh = m.refresh().toSeconds();
        if (refresh > 0) h.append("<meta http-equiv=\"refresh\" content=\"").append(refresh).append("\">");
        h.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        h.append("<title>").append(m.everyFrontendServes() ? "" : "NO MASTER - ").append("Ferry - ").append(esc(m.nodeName()))
                .append("</title><style>").append(CSS).append("</style></head><body>");
        header(h, m);
        h.append("<main>");
        if (m.frontends().size() > 1) summary(h, m);
        for (FrontendView f : m.frontends()) frontend(h, f, m.generated());
        h.append("</main><footer>Ferry").append(m.version() != null ? " " + esc(m.version()) : "")
                .append(" on ").append(esc(m.nodeName())).append(" &middot; all times UTC</footer></body></html>\n");
        return h.toString();
    }

    private static void header(StringBuilder h, StatsModel m) {
        h.append("<header><div class=\"brand\">Ferry<span>statistics</span></div><div class=\"meta\">node <b id=\"node\">")
                .append(esc(m.nodeName())).append("</b>");
        if (m.version() != null) h.append(" &middot; version ").append(esc(m.version()));
        h.append(" &middot; updated <span title=\"").append(FULL.format(m.generated())).append("\">").append(TIME.format(m.generated()))
                .append(" UTC</span>");
        if (m.refresh().toSeconds() > 0) h.append(" &middot; refreshes every ").append(m.refresh().toSeconds()).append(" s");
        h.append("</div><nav><a href=\"/stats.json\">JSON</a><a href=\"/stats.csv\">CSV</a><a href=\"/metrics\">Metrics</a>")
                .append("<a href=\"/health\">Health</a></nav></header>");
    }

    private static void summary(StringBuilder h, StatsModel m) {
        h.append("<div class=\"summary\">");
        for (FrontendView f : m.frontends()) {
            h.append("<a class=\"chip ").append(tone(f)).append("\" href=\"#fe-").append(esc(f.name())).append("\">")
                    .append(esc(f.name())).append(": ").append(f.hasMaster() ? esc(f.master()) : f.held() != null ? "held" : "NO MASTER")
                    .append("</a>");
        }
        h.append("</div>");
    }

    private static void frontend(StringBuilder h, FrontendView f, Instant now) {
        h.append("<section class=\"frontend\" id=\"fe-").append(esc(f.name())).append("\">");
        banner(h, f);
        h.append("<div class=\"body\">");
        if (!f.warnings().isEmpty()) {
            h.append("<div class=\"warnings\">");
            for (String w : f.warnings()) h.append("<div>&#9888; ").append(esc(w)).append("</div>");
            h.append("</div>");
        }
        if (!f.notes().isEmpty()) {
            h.append("<div class=\"notes\">");
            for (String n : f.notes()) h.append("<div>note: ").append(esc(n)).append("</div>");
            h.append("</div>");
        }
        cards(h, f);
        ReplicasSection.render(h, f);
        nodes(h, f, now);
        h.append("<div class=\"grid2\"><div>");
        sentinels(h, f);
        h.append("</div><div>");
        switches(h, f);
        h.append("</div></div>");
        events(h, f);
        h.append("</div></section>");
    }

    private static void banner(StringBuilder h, FrontendView f) {
        h.append("<div class=\"banner ").append(tone(f)).append("\"><div class=\"main\"><div class=\"name\">frontend ").append(esc(f.name()))
                .append("</div><div class=\"state\" data-status=\"").append(f.status()).append("\">");
        if (f.hasMaster()) h.append("master ").append(esc(f.master()));
        else if (f.held() != null) h.append("HOLDING on ").append(esc(f.held())).append(" (promotion under way)");
        else h.append("NO MASTER");
        h.append("</div><div class=\"why\">").append(esc(f.basis()));
        if (f.epoch() >= 0) h.append(" &middot; config epoch ").append(f.epoch());
        if (!f.staticMode()) h.append(" &middot; ").append(f.sentinelsAnswering()).append('/').append(f.sentinels().size()).append(" Sentinels answer");
        if (f.replicas().enabled()) h.append(" &middot; replica endpoint: ").append(f.replicas().in().size()).append(" in")
                .append(f.replicas().fallingBack() ? ", reading from the master" : "");
        h.append("</div><div class=\"reason\">").append(esc(f.reason())).append("</div></div>");
        h.append("<div class=\"where\">clients on <code>").append(esc(f.bind())).append("</code>")
                .append(f.tls().towardClients() ? " (TLS)" : "");
        if (f.tls().plaintextBind() != null) h.append(" and <code>").append(esc(f.tls().plaintextBind())).append("</code>");
        h.append("<br>");
        if (f.tls().any()) h.append(esc(tlsLine(f.tls()))).append("<br>");
        if (f.staticMode()) h.append("static servers (no Sentinels)");
        else h.append("Sentinel master name <code>").append(esc(f.masterName())).append("</code>");
        h.append("</div></div>");
    }

    /** One line on TLS: the certificate and its expiry, then the counts an operator looks for when clients cannot connect. */
    static String tlsLine(StatsModel.TlsView t) {
        StringBuilder b = new StringBuilder("TLS");
        if (t.certificate() != null) b.append(" certificate ").append(t.certificate()).append(" until ").append(t.certificateExpires());
        if (t.towardClients()) {
            b.append("; clients: ").append(t.handshakes()).append(" handshakes, ").append(t.handshakeFailures()).append(" failed, ")
                    .append(t.plaintextOnTlsPort()).append(" plaintext on the TLS port");
        }
        b.append(", ").append(t.tlsOnPlaintextPort()).append(" TLS on a plaintext port");
        if (t.towardNodes() || t.towardSentinels()) {
            b.append("; to ").append(t.towardNodes() ? (t.towardSentinels() ? "nodes and Sentinels" : "nodes") : "Sentinels").append(": ")
                    .append(t.upstreamHandshakes()).append(" handshakes, ").append(t.upstreamFailures()).append(" failed");
        }
        return b.toString();
    }

    private static void cards(StringBuilder h, FrontendView f) {
        Traffic t = f.traffic();
        h.append("<div class=\"cards\">");
        card(h, "Sessions now", num(t.sessionsNow()), num(t.sessionsTotal()) + " since start", false);
        card(h, "Bytes from clients", bytes(t.bytesIn()), bytes(t.bytesOut()) + " to clients", false);
        card(h, "Waiting for master", num(f.waitingNow()), num(f.waitTimeouts()) + " wait timeouts", f.waitTimeouts() > 0);
        card(h, "Connect errors", num(t.connectErrors()), "refused or timed out", t.connectErrors() > 0);
        card(h, "Sessions cut", num(t.sessionsCut()), "at master changes", false);
        card(h, "Sessions moved", num(t.sessionsMoved()), num(t.commandsResent()) + " refused commands sent again, "
                + num(t.stateMoved()) + " with their subscriptions or transaction", false);
        StatsModel.Paths p = f.paths();
        card(h, "Node connections", num(p.sharedConnections() + p.dedicatedConnections()), num(p.sharedConnections()) + " shared, "
                + num(p.dedicatedConnections()) + " dedicated; " + num(p.commandsShared()) + " commands shared, "
                + num(p.commandsDedicated()) + " dedicated, " + num(p.commandsLocal()) + " answered by Ferry", false);
        card(h, "Fences", num(f.fences()), "old masters demoted", false);
        card(h, "Sentinel events", num(f.sentinelEvents()), num(f.rounds()) + " check rounds", false);
        h.append("</div>");
    }

    private static void card(StringBuilder h, String key, String value, String note, boolean alert) {
        h.append("<div class=\"card").append(alert ? " alert" : "").append("\"><div class=\"k\">").append(esc(key))
                .append("</div><div class=\"v\">").append(esc(value)).append("</div><div class=\"note\">").append(esc(note)).append("</div></div>");
    }

    private static void nodes(StringBuilder h, FrontendView f, Instant now) {
        h.append("<h3>Nodes</h3>");
        if (f.nodes().isEmpty()) {
            h.append("<div class=\"empty\">no node checked yet</div>");
            return;
        }
        h.append("<table class=\"nodes\"><tr><th>Node</th><th>Status</th><th>For</th><th>Last check</th><th>Latency</th>")
                .append("<th>Replication</th><th>Sessions now / total</th><th>Bytes in / out</th><th>Connect errors</th><th>Cut / moved</th></tr>");
        for (NodeView n : f.nodes()) {
            h.append("<tr class=\"").append(n.master() ? "master" : n.up() ? "" : "down").append("\"><td><code>").append(esc(n.address()))
                    .append("</code>");
            if (n.master()) h.append("<span class=\"tag\">routed</span>");
            if (n.held()) h.append("<span class=\"tag\">held</span>");
            if (n.named() && !n.master()) h.append("<span class=\"tag\">named by Sentinels</span>");
            h.append("</td><td>").append(pill(n.status(), n.up() ? (n.role().equals("master") ? "p-master" : n.role().equals("replica") ? "p-replica" : "p-other") : "p-down"))
                    .append("</td><td title=\"since ").append(n.since() == null ? "" : FULL.format(n.since())).append("\">")
                    .append(n.since() == null ? "" : age(Duration.between(n.since(), now))).append("</td><td>");
            h.append(n.up() ? "OK" : esc(n.detail()));
            if (n.checkedAt() != null) h.append(" <span class=\"muted small\">").append(TIME.format(n.checkedAt())).append("</span>");
            h.append("</td><td class=\"n\">").append(n.up() && n.latencyMicros() >= 0 ? millis(n.latencyMicros()) : "&ndash;").append("</td><td>");
            if (n.replicaOf() != null) {
                h.append("of <code>").append(esc(n.replicaOf())).append("</code>, link ").append(n.linkUp() ? "up" : "<b>down</b>");
            } else if (n.up() && n.offset() >= 0) {
                h.append("<span class=\"muted\">offset ").append(n.offset()).append("</span>");
            }
            Traffic t = n.traffic();
            h.append("</td><td class=\"n\">").append(num(t.sessionsNow())).append(" / ").append(num(t.sessionsTotal()))
                    .append("</td><td class=\"n\">").append(bytes(t.bytesIn())).append(" / ").append(bytes(t.bytesOut()))
                    .append("</td><td class=\"n\">").append(num(t.connectErrors())).append("</td><td class=\"n\">").append(num(t.sessionsCut()))
                    .append(" / ").append(num(t.sessionsMoved()))
                    .append("</td></tr>");
        }
        h.append("</table>");
    }

    private static void sentinels(StringBuilder h, FrontendView f) {
        h.append("<h3>Sentinels</h3>");
        if (f.staticMode()) {
            h.append("<div class=\"empty\">static mode: no Sentinels configured; the node that says master is routed</div>");
            return;
        }
        if (f.sentinels().isEmpty()) {
            h.append("<div class=\"empty\">no Sentinel asked yet</div>");
            return;
        }
        h.append("<table class=\"sentinels\"><tr><th>Sentinel</th><th>Status</th><th>Names master</th><th title=\"config epoch\">Epoch</th><th title=\"replicas and other Sentinels it knows\">Knows</th></tr>");
        for (SentinelView s : f.sentinels()) {
            String tone = s.usable() ? "p-master" : s.reachable() ? "p-warn" : "p-down";
            h.append("<tr><td><code>").append(esc(s.address())).append("</code></td><td>").append(pill(s.status(), tone));
            if (s.failoverInProgress()) h.append(" ").append(pill("FAILOVER", "p-warn"));
            h.append("</td><td>");
            if (s.names() != null) {
                boolean disagrees = f.named() != null && !s.names().equals(f.named());
                h.append("<code>").append(esc(s.names())).append("</code>").append(disagrees ? " <span class=\"tag\">minority</span>" : "");
            } else {
                h.append("<span class=\"muted\">").append(esc(s.detail())).append("</span>");
            }
            h.append("</td><td class=\"n\">").append(s.configEpoch() >= 0 ? String.valueOf(s.configEpoch()) : "&ndash;")
                    .append("</td><td class=\"small muted nw\">");
            if (s.reachable()) h.append(s.replicas()).append(" replicas, ").append(s.peers()).append(" peers");
            h.append("</td></tr>");
        }
        h.append("</table>");
    }

    private static void switches(StringBuilder h, FrontendView f) {
        h.append("<h3>Last master switches</h3>");
        if (f.switches().isEmpty()) {
            h.append("<div class=\"empty\">no master routed yet</div>");
            return;
        }
        h.append("<table class=\"switches\"><tr><th>When</th><th>From &rarr; to</th><th>Took</th><th>Basis</th><th title=\"config epoch\">Epoch</th></tr>");
        for (SwitchView s : f.switches()) {
            h.append("<tr title=\"").append(esc(s.reason())).append("\"><td title=\"").append(FULL.format(s.at())).append("\">")
                    .append(TIME.format(s.at())).append("</td><td class=\"nw\">")
                    .append(s.from() == null ? "<span class=\"muted\">(start)</span>" : "<code>" + esc(s.from()) + "</code>")
                    .append(" &rarr; <code>").append(esc(s.to())).append("</code></td><td class=\"n\">")
                    .append(s.from() == null ? "&ndash;" : took(s.took())).append("</td><td>").append(esc(s.basis()))
                    .append("</td><td class=\"n\">").append(s.epoch() >= 0 ? String.valueOf(s.epoch()) : "&ndash;").append("</td></tr>");
        }
        h.append("</table>");
    }

    private static void events(StringBuilder h, FrontendView f) {
        if (f.staticMode()) return;
        h.append("<h3>Recent Sentinel events</h3>");
        if (f.events().isEmpty()) {
            h.append("<div class=\"empty\">no Sentinel event since start</div>");
            return;
        }
        h.append("<ol class=\"events mono\">");
        for (String e : f.events()) {
            // Events are "<instant> <sentinel> <event>": show the instant as a short time.
            int sp = e.indexOf(' ');
            String when = "";
            String what = e;
            if (sp > 0) {
                try {
                    when = TIME.format(Instant.parse(e.substring(0, sp)));
                    what = e.substring(sp + 1);
                } catch (DateTimeParseException ignored) {
                    // not prefixed by an instant: show as is
                }
            }
            h.append("<li><span class=\"muted\">").append(when).append("</span> ").append(esc(what)).append("</li>");
        }
        h.append("</ol>");
    }

    private static String tone(FrontendView f) {
        return f.hasMaster() ? "ok" : f.held() != null ? "held" : "bad";
    }

    private static String pill(String text, String cls) {
        return "<span class=\"pill " + cls + "\">" + esc(text) + "</span>";
    }

    static String esc(Object o) {
        if (o == null) return "";
        String s = o.toString();
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String num(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String bytes(long b) {
        if (b < 1024) return b + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }

    static String millis(long micros) {
        return String.format(Locale.ROOT, micros < 10_000 ? "%.2f ms" : "%.0f ms", micros / 1000.0);
    }

    static String took(Duration d) {
        long ms = d.toMillis();
        return ms < 10_000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /** A coarse age: "42s", "3m 12s", "5h 2m", "3d 4h". */
    static String age(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) return s + "s";
        if (s < 3600) return s / 60 + "m " + s % 60 + "s";
        if (s < 86400) return s / 3600 + "h " + s % 3600 / 60 + "m";
        return s / 86400 + "d " + s % 86400 / 3600 + "h";
    }
}
