package dev.ferry.topology;

import dev.ferry.config.Credentials;
import dev.ferry.config.HostPort;
import dev.ferry.resp.ConfigValues;
import dev.ferry.resp.Connector;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.RedisException;
import dev.ferry.resp.RedisLink;
import dev.ferry.resp.RoleReply;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;

/**
 * Checks one Redis node the way HAProxy's tcp-check does (a new connection, AUTH, PING) but asks
 * {@code ROLE} instead of grepping {@code INFO replication}, so it also learns which master a replica
 * follows and whether its link is up. One connection per check, its commands in one pipeline
 * ({@code AUTH}, {@code CLIENT SETNAME ferry-check}, {@code PING}, {@code ROLE}, {@code CONFIG GET
 * min-replicas-*}), closed at once: between checks Ferry holds no connection a client could count or
 * kill. It tells a node at work ({@code -BUSY}, {@code -LOADING}, a full client table, no answer in time)
 * from one that is not there (refused, closed). Used from one thread at a time.
 */
final class NodeProbe {
    static final String CLIENT_NAME = "ferry-check";
    private static final String MAX_CLIENTS = "ERR max number of clients reached";

    private final HostPort node;
    private final Connector connector;
    private final Credentials auth;
    private final Duration timeout;

    NodeProbe(HostPort node, Connector connector) {
        this.node = node;
        this.connector = connector;
        this.auth = connector.auth();
        this.timeout = connector.timeout();
    }

    synchronized NodeReport check() {
        Instant at = Instant.now();
        try {
            return ask(at);
        } catch (ClosedUnderUs e) {
            // Closed in the middle of the check (CLIENT KILL racing it, a restart): ask once more.
            return askOrFail(Instant.now());
        }
    }

    private NodeReport askOrFail(Instant at) {
        try {
            return ask(at);
        } catch (ClosedUnderUs e) {
            // Accepts connections but closes them at once, twice: typically a full client table, whose error
            // reply a reset can swallow. Alive (a crashed node refuses); its own clients are still served.
            return NodeReport.unanswered(node, Liveness.BUSY, "closes new connections at once (" + ioReason(e.cause)
                    + "; max number of clients reached?)", at);
        }
    }

    /** A connection that was established and then closed or reset by the other side. */
    private static final class ClosedUnderUs extends Exception {
        final IOException cause;

        ClosedUnderUs(IOException cause) {
            super(cause);
            this.cause = cause;
        }
    }

    private NodeReport ask(Instant at) throws ClosedUnderUs {
        RedisLink link;
        try {
            link = connector.withoutAuth().open(node, null);
        } catch (IOException | RedisException e) {
            return failed(e, at);
        }
        try (link) {
            if (auth.present()) {
                if (auth.user() == null) link.send("AUTH", auth.password());
                else link.send("AUTH", auth.user(), auth.password());
            }
            link.send("CLIENT", "SETNAME", CLIENT_NAME);
            long t0 = System.nanoTime();
            link.send("PING");
            link.send("ROLE");
            link.send("CONFIG", "GET", "min-replicas-*");
            if (auth.present() && link.read() instanceof ErrorReply e) {
                return e.message().startsWith(MAX_CLIENTS) ? full(at) : NodeReport.down(node, "AUTH refused (" + e.code() + ")", at);
            }
            if (link.read() instanceof ErrorReply e && e.message().startsWith(MAX_CLIENTS)) return full(at);
            Object pong = link.read();
            long micros = (System.nanoTime() - t0) / 1000;
            if (pong instanceof ErrorReply e) return refused("PING", e, at);
            Object role = link.read();
            if (role instanceof ErrorReply e) return refused("ROLE", e, at);
            return report(role, link.read(), micros, at);
        } catch (SocketTimeoutException e) {
            return NodeReport.unanswered(node, Liveness.SILENT, "timeout", at);
        } catch (EOFException | SocketException e) {
            throw new ClosedUnderUs(e);
        } catch (IOException e) {
            return NodeReport.down(node, ioReason(e), at);
        }
    }

    private NodeReport failed(Exception e, Instant at) {
        if (e instanceof RedisException) return NodeReport.down(node, e.getMessage().replace(node + ": ", ""), at);
        IOException io = (IOException) e;
        return NodeReport.unanswered(node, io instanceof SocketTimeoutException ? Liveness.SILENT : Liveness.DOWN, ioReason(io), at);
    }

    /** Its client table is full (maxclients): alive, and its existing clients are served, but no check gets in. */
    private NodeReport full(Instant at) {
        return NodeReport.unanswered(node, Liveness.BUSY, "-" + MAX_CLIENTS, at);
    }

    /** {@code -BUSY} and {@code -LOADING} are answers from a node at work, not failures. */
    private NodeReport refused(String command, ErrorReply e, Instant at) {
        if (e.code().equals("BUSY")) return NodeReport.unanswered(node, Liveness.BUSY, e.toString(), at);
        if (e.code().equals("LOADING")) return NodeReport.unanswered(node, Liveness.LOADING, "LOADING the dataset", at);
        return NodeReport.down(node, command + ": " + e.code(), at);
    }

    /** Sends one command on a fresh connection (for fencing: no state shared with the checks). */
    Object command(String... args) throws IOException, RedisException {
        try (RedisLink l = connector.open(node, "ferry-fence")) {
            return l.call(args);
        }
    }

    private NodeReport report(Object roleReply, Object configReply, long micros, Instant at) {
        RoleReply role = RoleReply.parse(roleReply);
        if (role instanceof RoleReply.Unexpected) return NodeReport.down(node, "ROLE: unexpected reply", at);
        if (role instanceof RoleReply.Master m) {
            // min-replicas-*: -1 when CONFIG is refused (ACL, renamed).
            ConfigValues config = ConfigValues.parse(configReply);
            return new NodeReport(node, Liveness.ANSWERS, Role.MASTER, null, false, m.offset(), "", micros, at,
                    config.intValue("min-replicas-to-write"), config.intValue("min-replicas-max-lag"));
        }
        if (role instanceof RoleReply.Replica r && r.master() != null) {
            return new NodeReport(node, Liveness.ANSWERS, Role.REPLICA, r.master(), r.linkUp(), r.offset(),
                    r.linkUp() ? "" : "link " + r.linkState(), micros, at, -1, -1);
        }
        // A Sentinel, a word Redis does not use, a replica reply without its master's address: the role alone.
        return new NodeReport(node, Liveness.ANSWERS, Role.of(role), null, false, -1, "", micros, at, -1, -1);
    }

    static String ioReason(IOException e) {
        String m = e.getMessage();
        if (e instanceof SocketTimeoutException) return "timeout";
        if (e instanceof java.net.ConnectException) return "connection refused";
        if (e instanceof java.io.EOFException) return "connection closed";
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
