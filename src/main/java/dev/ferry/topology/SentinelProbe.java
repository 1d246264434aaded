package dev.ferry.topology;

import dev.ferry.config.HostPort;
import dev.ferry.resp.Connector;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.InfoFields;
import dev.ferry.resp.MasterAddressReply;
import dev.ferry.resp.RedisException;
import dev.ferry.resp.RedisLink;
import dev.ferry.resp.SentinelFields;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.time.Instant;
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
        HostPort named = MasterAddressReply.parse(addr);
        if (named == null) return fail("unexpected reply to GET-MASTER-ADDR-BY-NAME", at, false);
        SentinelFields record = SentinelFields.parse(master);
        boolean failover = record.failoverInProgress();
        // The record keeps the old address until +switch-master; GET-MASTER-ADDR moves at the promotion.
        boolean pending = failover && named.equals(record.address());
        boolean tilt = "1".equals(InfoFields.parse(info).get("sentinel_tilt"));
        return new SentinelReport(sentinel, true, tilt, named, record.configEpoch(), failover, pending,
                SentinelFields.addressesIn(replicas), SentinelFields.addressesIn(peers), tilt ? "in TILT mode" : "", at,
                record.downAfterMillis());
    }

    private SentinelReport fail(String why, Instant at, boolean reachable) {
        close();
        return new SentinelReport(sentinel, reachable, false, null, -1, false, false, List.of(), List.of(), why, at, -1);
    }

    synchronized void close() {
        if (link != null) link.close();
        link = null;
    }
}
