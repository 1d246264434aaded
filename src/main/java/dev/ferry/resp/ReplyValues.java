package dev.ferry.resp;

import dev.ferry.config.HostPort;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading single values out of replies the way every typed reply does: leniently, so that a value of
 * the wrong type reads as unknown (-1, null, empty) instead of throwing in the middle of a check.
 */
final class ReplyValues {
    private ReplyValues() {}

    /** An integer reply, or a bulk string holding one (Sentinel sends its numbers as strings); else -1. */
    static long toLong(Object value) {
        if (value instanceof Long l) return l;
        if (value instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    /** As {@link #toLong}, and -1 outside the int range. */
    static int toInt(Object value) {
        long l = toLong(value);
        return l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (int) l : -1;
    }

    /** The address a host and a port name, or null when the host is empty or the port is not a TCP port. */
    static HostPort address(Object host, Object port) {
        if (host == null) return null;
        String h = String.valueOf(host);
        long p = toLong(port);
        if (h.isBlank() || p < 0 || p > 65535) return null;
        return new HostPort(h, (int) p);
    }

    /**
     * A flat name/value array ({@code CONFIG GET}, {@code SENTINEL MASTER}; RESP3 maps arrive flattened the
     * same way) as a map of strings. The first of two equal names wins; anything but an array is empty.
     */
    static Map<String, String> pairs(Object reply) {
        if (!(reply instanceof List<?> items)) return Map.of();
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < items.size(); i += 2) {
            Object name = items.get(i);
            Object value = items.get(i + 1);
            if (name != null && value != null) map.putIfAbsent(String.valueOf(name), String.valueOf(value));
        }
        return Collections.unmodifiableMap(map);
    }
}
