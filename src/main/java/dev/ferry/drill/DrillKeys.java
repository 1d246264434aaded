package dev.ferry.drill;

import dev.ferry.config.Credentials;
import dev.ferry.config.HostPort;
import dev.ferry.resp.RedisException;
import dev.ferry.resp.RedisLink;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** The keys one drill writes, all under one prefix with the drill's start time, so that they can be removed after. */
final class DrillKeys {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final String prefix = "ferry-drill:" + LocalDateTime.now().format(STAMP);

    String prefix() {
        return prefix;
    }

    /** Removes this drill's keys (SCAN and UNLINK) so that a drill leaves the data set as it found it. */
    void remove(HostPort master, Credentials auth, PrintWriter out) {
        int removed = 0;
        try (RedisLink l = RedisLink.open(master, auth, Duration.ofSeconds(5), null)) {
            String cursor = "0";
            do {
                if (!(l.call("SCAN", cursor, "MATCH", prefix + ":*", "COUNT", "1000") instanceof List<?> page) || page.size() != 2) break;
                cursor = String.valueOf(page.get(0));
                List<?> keys = (List<?>) page.get(1);
                if (!keys.isEmpty()) {
                    List<String> args = new ArrayList<>(List.of("UNLINK"));
                    keys.forEach(k -> args.add(String.valueOf(k)));
                    if (l.call(args.toArray(String[]::new)) instanceof Long n) removed += n.intValue();
                }
            } while (!cursor.equals("0"));
            out.println("Removed the drill's " + removed + " keys from " + master + " (--keep-keys keeps them).");
        } catch (IOException | RedisException | RuntimeException e) {
            out.println("Could not remove the drill's keys " + prefix + ":* from " + master + ": " + e.getMessage());
        }
        out.flush();
    }
}
