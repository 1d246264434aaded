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

    /** The leader sent {@code SLAVEOF NO ONE} to the selected replica, or saw it promoted. */
    public boolean announcesPromoted() {
        return name.equals("+failover-state-wait-promotion") || name.equals("+promoted-slave");
    }

    /** The failover is over, one way or the other. */
    public boolean endsFailover() {
        return name.equals("+failover-end") || name.equals("+failover-end-for-timeout") || name.startsWith("-failover-abort");
    }

    /** The instance the event is about ({@code <type> <name> <ip> <port>}), or null. */
    public HostPort subject() {
        String[] t = payload.split(" ");
        return t.length >= 4 ? address(t[2], t[3]) : null;
    }

    /** The master named after {@code @ <masterName>}, i.e. the one being failed over, or null. */
    public HostPort masterOf(String masterName) {
        String[] t = payload.split(" ");
        for (int i = 0; i + 3 < t.length; i++) {
            if (t[i].equals("@") && t[i + 1].equals(masterName)) return address(t[i + 2], t[i + 3]);
        }
        return null;
    }

    private static HostPort address(String host, String port) {
        try {
            return new HostPort(host, Integer.parseInt(port));
        } catch (IllegalArgumentException e) {
            return null;
        }
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
