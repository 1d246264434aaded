package dev.ferry.resp;

import java.util.HashMap;
import java.util.Map;

/** The {@code field:value} lines of an {@code INFO} reply. */
public final class InfoFields {
    private InfoFields() {}

    public static Map<String, String> parse(Object reply) {
        Map<String, String> m = new HashMap<>();
        if (reply instanceof String text) {
            for (String line : text.split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && !line.startsWith("#")) m.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return m;
    }
}
