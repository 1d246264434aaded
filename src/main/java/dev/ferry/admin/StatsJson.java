package dev.ferry.admin;

import dev.ferry.admin.StatsModel.FrontendView;
import dev.ferry.admin.StatsModel.NodeView;
import dev.ferry.admin.StatsModel.SentinelView;
import dev.ferry.admin.StatsModel.SwitchView;
import dev.ferry.admin.StatsModel.Traffic;
import java.time.Instant;
import java.util.List;

/** {@code /stats.json}: the stats page's data for scripts. Keys are snake_case; absent values are null. */
final class StatsJson {
    private StatsJson() {}

    static String render(StatsModel m) {
        Json j = new Json();
        j.open('{');
        j.field("node", m.nodeName());
        if (m.version() != null) j.field("version", m.version());
        j.field("generated", m.generated());
        j.field("refresh_seconds", m.refresh().toSeconds());
        j.field("healthy", m.everyFrontendServes());
        j.key("frontends").open('[');
        for (FrontendView f : m.frontends()) frontend(j, f);
        j.close(']');
        j.close('}');
        return j.toString();
    }

    private static void frontend(Json j, FrontendView f) {
        j.open('{');
        j.field("name", f.name());
        j.field("bind", f.bind());
        j.field("master_name", f.masterName());
        j.field("mode", f.staticMode() ? "static" : "sentinel");
        j.field("role", f.replicas().enabled() ? "replica" : "master");
        j.field("status", f.status());
        j.field("master", f.master());
        j.field("held", f.held());
        j.field("sentinels_name", f.named());
        j.field("config_epoch", f.epoch());
        j.field("basis", f.basis());
        j.field("reason", f.reason());
        j.strings("warnings", f.warnings());
        j.strings("notes", f.notes());
        traffic(j, f.traffic());
        StatsModel.Paths p = f.paths();
        j.field("node_connections_shared", p.sharedConnections());
        j.field("node_connections_dedicated", p.dedicatedConnections());
        j.field("commands_shared", p.commandsShared());
        j.field("commands_dedicated", p.commandsDedicated());
        j.field("commands_answered_by_ferry", p.commandsLocal());
        j.field("clients_closed_output_limit", p.outputLimitCloses());
        j.field("clients_waiting", f.waitingNow());
        j.field("clients_waited", f.waited());
        j.field("wait_timeouts", f.waitTimeouts());
        j.field("check_rounds", f.rounds());
        j.field("fences", f.fences());
        j.field("sentinel_events", f.sentinelEvents());
        j.key("nodes").open('[');
        for (NodeView n : f.nodes()) node(j, n);
        j.close(']');
        j.key("sentinels").open('[');
        for (SentinelView s : f.sentinels()) sentinel(j, s);
        j.close(']');
        j.key("switches").open('[');
        for (SwitchView s : f.switches()) switchRecord(j, s);
        j.close(']');
        j.strings("events", f.events());
        tls(j, f.tls());
        replicas(j, f.replicas());
        j.close('}');
    }

    /** A replica frontend's replicas: in or out and why, lag, sessions; null for a master frontend. */
    private static void replicas(Json j, ReplicasView r) {
        if (!r.enabled()) {
            j.field("replicas", null);
            return;
        }
        j.key("replicas").open('{');
        j.field("fallback", r.fallback());
        j.field("falling_back", r.fallingBack());
        j.field("max_lag_bytes", r.maxLagBytes() < 0 ? null : r.maxLagBytes());
        j.field("max_lag_ms", r.maxLagMillis() < 0 ? null : r.maxLagMillis());
        j.field("read_from_master", r.fromMaster());
        j.key("nodes").open('[');
        for (ReplicasView.Row row : r.rows()) {
            j.open('{');
            j.field("address", row.node());
            j.field("in", row.in());
            j.field("lag_bytes", row.lagBytes() < 0 ? null : row.lagBytes());
            j.field("lag_ms", row.lagMillis() < 0 ? null : row.lagMillis());
            j.field("sessions_now", row.sessions());
            j.field("why_out", row.in() ? null : row.why());
            j.close('}');
        }
        j.close(']');
        j.close('}');
    }

    private static void tls(Json j, StatsModel.TlsView t) {
        j.key("tls").open('{');
        j.field("toward_clients", t.towardClients());
        j.field("plaintext_bind", t.plaintextBind());
        j.field("toward_nodes", t.towardNodes());
        j.field("toward_sentinels", t.towardSentinels());
        j.field("certificate", t.certificate());
        j.field("certificate_expires", t.certificateExpires());
        j.field("client_handshakes", t.handshakes());
        j.field("client_handshake_failures", t.handshakeFailures());
        j.field("plaintext_on_tls_port", t.plaintextOnTlsPort());
        j.field("tls_on_plaintext_port", t.tlsOnPlaintextPort());
        j.field("upstream_handshakes", t.upstreamHandshakes());
        j.field("upstream_handshake_failures", t.upstreamFailures());
        j.close('}');
    }

    private static void node(Json j, NodeView n) {
        j.open('{');
        j.field("address", n.address());
        j.field("status", n.status());
        j.field("up", n.up());
        j.field("role", n.role());
        j.field("is_master", n.master());
        j.field("is_held", n.held());
        j.field("named_by_sentinels", n.named());
        j.field("replica_of", n.replicaOf());
        j.field("link_up", n.linkUp());
        j.field("offset", n.offset());
        j.field("detail", n.detail());
        j.field("check_latency_ms", n.latencyMicros() < 0 ? null : n.latencyMicros() / 1000.0);
        j.field("checked_at", n.checkedAt());
        j.field("since", n.since());
        traffic(j, n.traffic());
        j.close('}');
    }

    private static void sentinel(Json j, SentinelView s) {
        j.open('{');
        j.field("address", s.address());
        j.field("status", s.status());
        j.field("answers", s.usable());
        j.field("reachable", s.reachable());
        j.field("tilt", s.tilt());
        j.field("names", s.names());
        j.field("config_epoch", s.configEpoch());
        j.field("failover_in_progress", s.failoverInProgress());
        j.field("replicas", s.replicas());
        j.field("other_sentinels", s.peers());
        j.field("detail", s.detail());
        j.field("checked_at", s.checkedAt());
        j.close('}');
    }

    private static void switchRecord(Json j, SwitchView s) {
        j.open('{');
        j.field("at", s.at());
        j.field("from", s.from());
        j.field("to", s.to());
        j.field("took_ms", s.took().toNanos() / 1e6);
        j.field("basis", s.basis());
        j.field("config_epoch", s.epoch());
        j.field("reason", s.reason());
        j.close('}');
    }

    private static void traffic(Json j, Traffic t) {
        j.field("sessions_now", t.sessionsNow());
        j.field("sessions_total", t.sessionsTotal());
        j.field("bytes_in", t.bytesIn());
        j.field("bytes_out", t.bytesOut());
        j.field("connect_errors", t.connectErrors());
        j.field("sessions_cut", t.sessionsCut());
        j.field("sessions_moved", t.sessionsMoved());
        j.field("commands_resent", t.commandsResent());
        j.field("sessions_state_moved", t.stateMoved());
    }

    /** Just enough JSON: objects, arrays, strings, numbers, booleans, null; commas placed by nesting depth. */
    static final class Json {
        private final StringBuilder out = new StringBuilder(4096);
        private boolean first = true;

        Json open(char c) {
            comma();
            out.append(c);
            first = true;
            return this;
        }

        Json close(char c) {
            out.append(c);
            first = false;
            return this;
        }

        Json key(String k) {
            comma();
            string(k);
            out.append(':');
            first = true;
            return this;
        }

        void field(String k, Object v) {
            key(k);
            value(v);
        }

        void strings(String k, List<String> values) {
            key(k).open('[');
            for (String v : values) value(v);
            close(']');
        }

        private void value(Object v) {
            comma();
            if (v == null) {
                out.append("null");
            } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
                out.append(v);
            } else if (v instanceof Double d) {
                out.append(d.isNaN() || d.isInfinite() ? "null" : String.valueOf(d));
            } else {
                string(v instanceof Instant i ? i.toString() : v.toString());
            }
            first = false;
        }

        private void comma() {
            if (!first) out.append(',');
            first = false;
        }

        private void string(String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        // '<' too, so the JSON is safe to inline in a page
                        if (c < 0x20 || c == '<' || c == '\u2028' || c == '\u2029') out.append(String.format("\\u%04x", (int) c));
                        else out.append(c);
                    }
                }
            }
            out.append('"');
        }

        @Override
        public String toString() {
            return out.toString();
        }
    }
}
