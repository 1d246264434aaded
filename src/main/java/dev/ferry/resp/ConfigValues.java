package dev.ferry.resp;

import java.util.Map;

/** A node's answer to {@code CONFIG GET}: name/value pairs (none for a pattern that matches nothing). */
public record ConfigValues(Map<String, String> values) {

    public ConfigValues {
        values = Map.copyOf(values);
    }

    /** An error reply or anything but an array has no values. */
    public static ConfigValues parse(Object reply) {
        return new ConfigValues(ReplyValues.pairs(reply));
    }

    /** The value of {@code name} (as CONFIG GET spells it back: lower case), or null. */
    public String get(String name) {
        return values.get(name);
    }

    /** The value of {@code name} as a number; -1 when absent or not a number. */
    public int intValue(String name) {
        return ReplyValues.toInt(values.get(name));
    }
}
