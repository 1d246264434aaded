package dev.ferry.topology;

import dev.ferry.config.HostPort;
import java.util.Set;

/** One message a Sentinel published about our master name, e.g. {@code +switch-master mymaster ...}. */
public record SentinelEvent(HostPort from, String name, String payload) {

    /**
     * Published from the moment a quorum agrees the master is down until the replica is promoted: writes
     * the master acknowledges from here on are at risk of being lost with it.
     */
    private static final Set<String> PROMOTING = Set.of("+odown", "+try-failover", "+elected-leader",
            "+failover-state-select-slave", "+selected-slave", "+failover-state-send-slaveof-noone",
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

    /**
     * The master the event is about: the one named after {@code @ <masterName>} for events about a replica,
     * the subject itself for events about the master ({@code master <name> <ip> <port> ...}); else null.
     */
    public HostPort masterOf(String masterName) {
        String[] m = payload.split(" ");
        if (m.length >= 4 && m[0].equals("master") && m[1].equals(masterName)) return address(m[2], m[3]);
        for (int i = 0; i + 3 < m.length; i++) {
            if (m[i].equals("@") && m[i + 1].equals(masterName)) return address(m[i + 2], m[i + 3]);
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
