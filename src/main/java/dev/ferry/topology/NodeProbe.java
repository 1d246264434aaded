package dev.ferry.topology;

import dev.ferry.config.HostPort;
import dev.ferry.resp.Connector;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.RedisException;
import dev.ferry.resp.RedisLink;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Checks one Redis node the way HAProxy's tcp-check does (AUTH, PING) but asks {@code ROLE} instead of
 * grepping {@code INFO replication}, so it also learns which master a replica follows and whether its
 * link is up. Keeps one connection open between checks. Used from one thread at a time.
 */
final class NodeProbe {
    private final HostPort node;
    private final Connector connector;
    private RedisLink link;

    NodeProbe(HostPort node, Connector connector) {
        this.node = node;
        this.connector = connector;
    }

    synchronized NodeReport check() {
        Instant at = Instant.now();
        try {
            if (link == null) link = connector.open(node, "ferry-check");
            long t0 = System.nanoTime();
            link.send("PING");
            Object pong = link.read();
            long micros = (System.nanoTime() - t0) / 1000;
            if (pong instanceof ErrorReply e) return fail(e.code().equals("LOADING") ? "LOADING the dataset" : "PING: " + e.code(), at);
            Object role = link.call("ROLE");
            if (role instanceof ErrorReply e) return fail("ROLE: " + e.code(), at);
            return parseRole(role, micros, at);
        } catch (RedisException e) {
            return fail(e.getMessage().replace(node + ": ", ""), at);
        } catch (IOException e) {
            return fail(ioReason(e), at);
        }
    }

    /** Sends one command on a fresh connection (for fencing: no state shared with the checks). */
    Object command(String... args) throws IOException, RedisException {
        try (RedisLink l = connector.open(node, "ferry-fence")) {
            return l.call(args);
        }
    }

    private NodeReport parseRole(Object reply, long micros, Instant at) {
        if (!(reply instanceof List<?> r) || r.isEmpty()) return fail("ROLE: unexpected reply", at);
        Role role = Role.parse(String.valueOf(r.get(0)));
        if (role == Role.MASTER) {
            long offset = r.size() > 1 && r.get(1) instanceof Long l ? l : -1;
            int[] minReplicas = minReplicas();
            return new NodeReport(node, true, Role.MASTER, null, false, offset, "", micros, at, minReplicas[0], minReplicas[1]);
        }
        if (role == Role.REPLICA && r.size() >= 5) {
            HostPort of = new HostPort(String.valueOf(r.get(1)), ((Long) r.get(2)).intValue());
            boolean up = "connected".equals(String.valueOf(r.get(3)));
            long offset = r.get(4) instanceof Long l ? l : -1;
            return new NodeReport(node, true, Role.REPLICA, of, up, offset, up ? "" : "link " + r.get(3), micros, at, -1, -1);
        }
        return new NodeReport(node, true, role, null, false, -1, "", micros, at, -1, -1);
    }

    /** A master's min-replicas-to-write and min-replicas-max-lag; -1 when CONFIG is refused (ACL, renamed). */
    private int[] minReplicas() {
        try {
            Object reply = link.call("CONFIG", "GET", "min-replicas-*");
            int toWrite = -1;
            int maxLag = -1;
            if (reply instanceof List<?> kv) {
                for (int i = 0; i + 1 < kv.size(); i += 2) {
                    if ("min-replicas-to-write".equals(kv.get(i))) toWrite = Integer.parseInt(String.valueOf(kv.get(i + 1)));
                    if ("min-replicas-max-lag".equals(kv.get(i))) maxLag = Integer.parseInt(String.valueOf(kv.get(i + 1)));
                }
            }
            return new int[] {toWrite, maxLag};
        } catch (IOException | RuntimeException e) {
            return new int[] {-1, -1};
        }
    }

    private NodeReport fail(String why, Instant at) {
        close();
        return NodeReport.down(node, why, at);
    }

    synchronized void close() {
        if (link != null) link.close();
        link = null;
    }

    static String ioReason(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.net.SocketTimeoutException) return "timeout";
        if (e instanceof java.net.ConnectException) return "connection refused";
        if (e instanceof java.io.EOFException) return "connection closed";
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
