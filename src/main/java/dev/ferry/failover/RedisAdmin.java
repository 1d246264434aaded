package dev.ferry.failover;

import dev.ferry.config.HostPort;
import dev.ferry.resp.ConfigValues;
import dev.ferry.resp.Connector;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.InfoFields;
import dev.ferry.resp.RedisException;
import dev.ferry.resp.RedisLink;
import dev.ferry.resp.RoleReply;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Short administrative conversations with one node or Sentinel, each on a fresh connection. */
final class RedisAdmin {
    private final Connector toNodes;
    private final Connector toSentinels;

    RedisAdmin(Connector toNodes, Connector toSentinels) {
        this.toNodes = toNodes;
        this.toSentinels = toSentinels;
    }

    Object node(HostPort n, String... cmd) throws IOException, RedisException {
        try (RedisLink l = toNodes.open(n, "ferry-failover")) {
            return l.call(cmd);
        }
    }

    Object sentinel(HostPort s, String... cmd) throws IOException, RedisException {
        try (RedisLink l = toSentinels.open(s, "ferry-failover")) {
            return l.call(cmd);
        }
    }

    /** Sends a command that must answer +OK (or any non-error); otherwise throws with its error. */
    void nodeOk(HostPort n, String... cmd) throws IOException, RedisException {
        Object r = node(n, cmd);
        if (r instanceof ErrorReply e) throw new RedisException(n + ": " + String.join(" ", cmd[0], cmd.length > 1 ? cmd[1] : "") .trim() + " refused: " + e.message());
    }

    Map<String, String> info(HostPort n, String section) throws IOException, RedisException {
        Object r = node(n, "INFO", section);
        if (r instanceof ErrorReply e) throw new RedisException(n + ": INFO refused: " + e.code());
        return InfoFields.parse(r);
    }

    /** ROLE, typed; a reply that is no ROLE at all (an error reply, an empty array) throws. */
    RoleReply role(HostPort n) throws IOException, RedisException {
        Object r = node(n, "ROLE");
        RoleReply role = RoleReply.parse(r);
        if (role instanceof RoleReply.Unexpected) throw new RedisException(n + ": ROLE answered " + r);
        return role;
    }

    /** The processed replication offset a node reports in ROLE (master: its own; replica: applied; -1 unknown). */
    long offset(HostPort n) throws IOException, RedisException {
        RoleReply role = role(n);
        if (role instanceof RoleReply.Master m) {
            // A master always has one; without it a sync check would pass against -1.
            if (m.offset() < 0) throw new RedisException(n + ": ROLE master without an offset");
            return m.offset();
        }
        return role instanceof RoleReply.Replica r ? r.offset() : -1;
    }

    /** The value of one setting; null when CONFIG GET does not know it. */
    String configGet(HostPort n, String key) throws IOException, RedisException {
        Object r = node(n, "CONFIG", "GET", key);
        if (r instanceof ErrorReply e) throw new RedisException(n + ": CONFIG GET " + key + " refused: " + e.code());
        if (!(r instanceof List<?>)) throw new RedisException(n + ": CONFIG GET " + key + " answered " + r);
        return ConfigValues.parse(r).get(key);
    }
}
