package dev.ferry.topology;

import dev.ferry.config.HostPort;
import java.util.Set;

/** One message a Sentinel published about our master name, e.g. {@code +switch-master mymaster ...}. */
public record SentinelEvent(HostPort from, String name, String payload) {

    /** Published between choosing a replica and seeing it promoted: writes to the old master are at risk now. */
    private static final Set<String> PROMOTING = Set.of("+selected-slave", "+failover-state-send-slaveof-noone",
            "+failover-state-wait-promotion", "+promoted-slave");

    public boolean startsPromotion() {
        return PROMOTING.contains(name);
    }

    /** Whether the payload concerns this master name (events about other groups share the channel space). */
    public boolean concerns(String masterName) {
        if (name.equals("+new-epoch") || name.equals("+tilt") || name.equals("-tilt")) return true;
        for (String token : payload.split(" ")) {
            if (token.equals(masterName)) return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return name + " " + payload;
    }
}
