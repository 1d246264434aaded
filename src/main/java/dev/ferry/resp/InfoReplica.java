package dev.ferry.resp;

import dev.ferry.config.HostPort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One replica as a master's {@code INFO replication} lists it:
 * {@code slave0:ip=10.0.0.2,port=6379,state=online,offset=3826,lag=0}.
 *
 * @param state  {@code online} once it streams, else e.g. {@code wait_bgsave}, {@code send_bulk}
 * @param offset the offset it acknowledged, -1 when missing
 * @param lag    seconds since its last acknowledgement, -1 when missing
 */
public record InfoReplica(HostPort address, String state, long offset, long lag) {

    /** The replicas in {@code INFO replication}'s fields (see {@link InfoFields}), leaving out lines without an address. */
    public static List<InfoReplica> listedIn(Map<String, String> replication) {
        List<InfoReplica> out = new ArrayList<>();
        for (Map.Entry<String, String> e : replication.entrySet()) {
            if (!e.getKey().matches("slave\\d+")) continue;
            Map<String, String> kv = new HashMap<>();
            for (String part : e.getValue().split(",")) {
                int eq = part.indexOf('=');
                if (eq > 0) kv.put(part.substring(0, eq), part.substring(eq + 1));
            }
            HostPort address = ReplyValues.address(kv.get("ip"), kv.get("port"));
            if (address != null) {
                out.add(new InfoReplica(address, kv.get("state"), ReplyValues.toLong(kv.get("offset")), ReplyValues.toLong(kv.get("lag"))));
            }
        }
        return out;
    }

    public boolean online() {
        return "online".equals(state);
    }
}
