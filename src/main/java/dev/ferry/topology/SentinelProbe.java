package dev.ferry.topology;

import dev.ferry.config.HostPort;
import dev.ferry.resp.Connector;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.RedisException;
import dev.ferry.resp.RedisLink;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks one Sentinel who the master is. The commands go in one pipeline so that the address
 * ({@code GET-MASTER-ADDR-BY-NAME}, which names a promoted replica as soon as the leader sees it) and
 * the {@code config-epoch} ({@code SENTINEL MASTER}) come from the same instant of the Sentinel.
 */
final class SentinelProbe {
    private final HostPort sentinel;
    private final String masterName;
    private final Connector connector;
    private RedisLink link;

    SentinelProbe(HostPort sentinel, String masterName, Connector connector) {
        this.sentinel = sentinel;
        this.masterName = masterName;
        this.connector = connector;
    }

    synchronized SentinelReport check() {
        Instant at = Instant.now();
        if (link != null) {
            try {
                return ask(at);
            } catch (EOFException | SocketException e) {
                // The kept connection was closed under us (CLIENT KILL, a restart): ask again on a new one.
                close();
            } catch (IOException | RuntimeException e) {
                return failed(e, at);
            }
        }
        try {
            link = connector.open(sentinel, NodeProbe.CLIENT_NAME);
            return ask(at);
        } catch (RedisException e) {
            return fail(e.getMessage().replace(sentinel + ": ", ""), at, true);
        } catch (IOException | RuntimeException e) {
            return failed(e, at);
        }
    }

    private SentinelReport failed(Exception e, Instant at) {
        if (e instanceof IOException io) return fail(NodeProbe.ioReason(io), at, false);
        return fail("unexpected reply (" + e.getClass().getSimpleName() + ")", at, false);
    }

    private SentinelReport ask(Instant at) throws IOException {
        link.send("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName);
        link.send("SENTINEL", "MASTER", masterName);
        link.send("SENTINEL", "REPLICAS", masterName);
        link.send("SENTINEL", "SENTINELS", masterName);
        link.send("INFO", "sentinel");
        Object addr = link.read();
        Object master = link.read();
        Object replicas = link.read();
        Object peers = link.read();
        Object info = link.read();
        if (addr instanceof ErrorReply e) return fail(e.message(), at, false);
        if (addr == null) {
            return new SentinelReport(sentinel, true, false, null, -1, false, false, List.of(), List.of(),
                    "does not know the master name '" + masterName + "'", at, -1);
        }
        List<?> a = (List<?>) addr;
        HostPort named = new HostPort(String.valueOf(a.get(0)), Integer.parseInt(String.valueOf(a.get(1))));
        long epoch = -1;
        boolean failover = false;
        boolean pending = false;
        long downAfter = -1;
        if (master instanceof List<?> fields) {
            downAfter = parseLong(field(fields, "down-after-milliseconds"));
            epoch = parseLong(field(fields, "config-epoch"));
            String flags = field(fields, "flags");
            failover = flags != null && flags.contains("failover_in_progress");
            // The record keeps the old address until +switch-master; GET-MASTER-ADDR moves at the promotion.
            String ip = field(fields, "ip");
            String port = field(fields, "port");
            pending = failover && named.host().equals(ip) && String.valueOf(named.port()).equals(port);
        }
        boolean tilt = info instanceof String s && s.contains("sentinel_tilt:1");
        return new SentinelReport(sentinel, true, tilt, named, epoch, failover, pending, addresses(replicas),
                addresses(peers), tilt ? "in TILT mode" : "", at, downAfter);
    }

    private SentinelReport fail(String why, Instant at, boolean reachable) {
        close();
        return new SentinelReport(sentinel, reachable, false, null, -1, false, false, List.of(), List.of(), why, at, -1);
    }

    /** Replicas or Sentinels as listed by SENTINEL REPLICAS/SENTINELS (field lists with ip and port). */
    private static List<HostPort> addresses(Object reply) {
        List<HostPort> out = new ArrayList<>();
        if (!(reply instanceof List<?> items)) return out;
        for (Object item : items) {
            if (item instanceof List<?> fields) {
                String ip = field(fields, "ip");
                String port = field(fields, "port");
                if (ip != null && port != null) out.add(new HostPort(ip, Integer.parseInt(port)));
            }
        }
        return out;
    }

    static String field(List<?> fields, String name) {
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            if (name.equals(String.valueOf(fields.get(i)))) return String.valueOf(fields.get(i + 1));
        }
        return null;
    }

    private static long parseLong(String s) {
        try {
            return s == null ? -1 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    synchronized void close() {
        if (link != null) link.close();
        link = null;
    }
}
