package dev.ferry.config;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A frontend that serves reads from replicas ({@code role: replica}): which replicas qualify, and where
 * sessions go when none does.
 *
 * @param maxLagBytes a replica further behind the master's replication offset than this is out (empty: no byte bound)
 * @param maxLag      a replica missing writes the master had this long ago is out (empty: no time bound)
 * @param fallback    where sessions go while no replica qualifies
 * @param fromMaster  whether the master also serves this frontend's reads (a promoted replica's sessions then stay)
 */
public record ReplicaReads(OptionalLong maxLagBytes, Optional<Duration> maxLag, Fallback fallback, boolean fromMaster) {

    public static final Duration DEFAULT_MAX_LAG = Duration.ofSeconds(1);

    /** What a replica frontend does while no replica qualifies. */
    public enum Fallback {
        /** Sessions read from the master (the default; the stats page says so). */
        MASTER("master"),
        /** Sessions wait, bounded by wait-for-master, then get an error. */
        REFUSE("refuse");

        private final String key;

        Fallback(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    public static ReplicaReads defaults() {
        return new ReplicaReads(OptionalLong.empty(), Optional.of(DEFAULT_MAX_LAG), Fallback.MASTER, false);
    }
}
