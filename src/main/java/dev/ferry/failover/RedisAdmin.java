package dev.ferry.failover;

import dev.ferry.config.HostPort;
import dev.ferry.resp.Connector;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.InfoFields;
import dev.ferry.resp.RedisException;
import dev.ferry.resp.RedisLink;
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

    /** ROLE as a list: master {@code [master, offset, [...]]}, replica {@code [slave, ip, port, state, offset]}. */
    List<?> role(HostPort n) throws IOException, RedisException {
        Object r = node(n, "ROLE");
        if (!(r instanceof List<?> l)) throw new RedisException(n + ": ROLE answered " + r);
        return l;
    }

    /** The processed replication offset a node reports in ROLE (master: its own; replica: applied). */
    long offset(HostPort n) throws IOException, RedisException {
        List<?> r = role(n);
        if ("master".equals(r.get(0))) return (Long) r.get(1);
        return r.size() >= 5 ? (Long) r.get(4) : -1;
    }

    String configGet(HostPort n, String key) throws IOException, RedisException {
        Object r = node(n, "CONFIG", "GET", key);
        if (r instanceof ErrorReply e) throw new RedisException(n + ": CONFIG GET " + key + " refused: " + e.code());
        List<?> kv = (List<?>) r;
        return kv.size() >= 2 ? String.valueOf(kv.get(1)) : null;
    }
}
