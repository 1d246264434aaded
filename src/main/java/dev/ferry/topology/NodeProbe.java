package dev.ferry.topology;

import dev.ferry.config.Credentials;
import dev.ferry.config.HostPort;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.RedisException;
import dev.ferry.resp.RedisLink;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Checks one Redis node the way HAProxy's tcp-check does (AUTH, PING) but asks {@code ROLE} instead of
 * grepping {@code INFO replication}, so it also learns which master a replica follows and whether its
 * link is up. It tells a node at work ({@code -BUSY}, {@code -LOADING}, no answer in time) from one that
 * is not there (refused, closed). Keeps one connection open between checks. Used from one thread at a time.
 */
final class NodeProbe {
    private final HostPort node;
    private final Credentials auth;
    private final Duration timeout;
    private RedisLink link;

    NodeProbe(HostPort node, Credentials auth, Duration timeout) {
        this.node = node;
        this.auth = auth;
        this.timeout = timeout;
    }

    synchronized NodeReport check() {
        Instant at = Instant.now();
        if (link != null) {
            try {
                return ask(at);
            } catch (IOException e) {
                close();
                if (e instanceof SocketTimeoutException) return NodeReport.unanswered(node, Liveness.SILENT, "timeout", at);
                // The kept connection was closed under us (CLIENT KILL, a server timeout): ask again on a new one.
            }
        }
        try {
            link = RedisLink.open(node, auth, timeout, "ferry-check");
            return ask(at);
        } catch (RedisException e) {
            return fail(Liveness.DOWN, e.getMessage().replace(node + ": ", ""), at);
        } catch (IOException e) {
            return fail(e instanceof SocketTimeoutException ? Liveness.SILENT : Liveness.DOWN, ioReason(e), at);
        }
    }

    /** PING, then ROLE; {@code -BUSY} and {@code -LOADING} are answers from a node at work, not failures. */
    private NodeReport ask(Instant at) throws IOException {
        long t0 = System.nanoTime();
        link.send("PING");
        Object pong = link.read();
        long micros = (System.nanoTime() - t0) / 1000;
        if (pong instanceof ErrorReply e) return refused("PING", e, at);
        Object role = link.call("ROLE");
        if (role instanceof ErrorReply e) return refused("ROLE", e, at);
        return parseRole(role, micros, at);
    }

    private NodeReport refused(String command, ErrorReply e, Instant at) {
        // The connection stays usable after either: the next check asks on it again.
        if (e.code().equals("BUSY")) return NodeReport.unanswered(node, Liveness.BUSY, e.toString(), at);
        if (e.code().equals("LOADING")) return NodeReport.unanswered(node, Liveness.LOADING, "LOADING the dataset", at);
        return fail(Liveness.DOWN, command + ": " + e.code(), at);
    }

    /** Sends one command on a fresh connection (for fencing: no state shared with the checks). */
    Object command(String... args) throws IOException, RedisException {
        try (RedisLink l = RedisLink.open(node, auth, timeout, "ferry-fence")) {
            return l.call(args);
        }
    }

    private NodeReport parseRole(Object reply, long micros, Instant at) {
        if (!(reply instanceof List<?> r) || r.isEmpty()) return fail(Liveness.DOWN, "ROLE: unexpected reply", at);
        Role role = Role.parse(String.valueOf(r.get(0)));
        if (role == Role.MASTER) {
            long offset = r.size() > 1 && r.get(1) instanceof Long l ? l : -1;
            int[] minReplicas = minReplicas();
            return new NodeReport(node, Liveness.ANSWERS, Role.MASTER, null, false, offset, "", micros, at, minReplicas[0], minReplicas[1]);
        }
        if (role == Role.REPLICA && r.size() >= 5) {
            HostPort of = new HostPort(String.valueOf(r.get(1)), ((Long) r.get(2)).intValue());
            boolean up = "connected".equals(String.valueOf(r.get(3)));
            long offset = r.get(4) instanceof Long l ? l : -1;
            return new NodeReport(node, Liveness.ANSWERS, Role.REPLICA, of, up, offset, up ? "" : "link " + r.get(3), micros, at, -1, -1);
        }
        return new NodeReport(node, Liveness.ANSWERS, role, null, false, -1, "", micros, at, -1, -1);
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

    private NodeReport fail(Liveness liveness, String why, Instant at) {
        close();
        return NodeReport.unanswered(node, liveness, why, at);
    }

    synchronized void close() {
        if (link != null) link.close();
        link = null;
    }

    static String ioReason(IOException e) {
        String m = e.getMessage();
        if (e instanceof SocketTimeoutException) return "timeout";
        if (e instanceof java.net.ConnectException) return "connection refused";
        if (e instanceof java.io.EOFException) return "connection closed";
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
