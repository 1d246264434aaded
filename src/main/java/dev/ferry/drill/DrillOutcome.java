package dev.ferry.drill;

import dev.ferry.config.HostPort;

/** How the wait for the new master ended; times in nanos after the failover command, -1 when it did not happen. */
record DrillOutcome(HostPort master, String runId, long agreedNanos, long recoveredNanos, String missing) {
    boolean recovered() {
        return recoveredNanos >= 0;
    }
}
