package dev.ferry.drill;

import dev.ferry.config.HostPort;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Before a drill: the Sentinels must agree on a master that answers ROLE master, with a replica to fail
 * over to and no failover of their own under way. Right after a {@code FAILOVER TO} made beside them they
 * do not (they name the demoted node until they fail over once more, ~30-40 s later), so this waits, up to
 * a bound, saying what it waits for every few seconds.
 */
final class SentinelAgreement {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration SAY_EVERY = Duration.ofSeconds(5);

    private final DrillPlan plan;
    private final DrillGroup group;
    private final PrintWriter out;

    SentinelAgreement(DrillPlan plan, DrillGroup group, PrintWriter out) {
        this.plan = plan;
        this.group = group;
        this.out = out;
    }

    /** The agreed master; waits up to {@code bound} (zero: not at all) for the Sentinels to get there. */
    HostPort await(Duration bound) throws DrillStopped {
        long start = System.nanoTime();
        long nextSay = start;
        String said = null;
        while (true) {
            Optional<String> gap = gap();
            if (gap.isEmpty()) {
                HostPort master = group.agreedMaster().orElseThrow();
                if (nextSay != start) progress(start, "the Sentinels agree: master " + master + "; drilling");
                return master;
            }
            long waited = System.nanoTime() - start;
            if (waited >= bound.toNanos()) {
                throw DrillStopped.failure(gap.get() + (bound.isZero() ? "" : "; waited " + bound.toSeconds() + " s")
                        + "; retry once they agree ('ferry check' says when), or wait longer with --wait-for-sentinels SECONDS");
            }
            if (System.nanoTime() - nextSay >= 0) {
                if (nextSay == start) {
                    out.println("ferry drill: waiting up to " + bound.toSeconds() + " s for the Sentinels to agree (--wait-for-sentinels):");
                }
                progress(start, gap.get().equals(said) ? "still waiting" : gap.get());
                said = gap.get();
                nextSay = System.nanoTime() + SAY_EVERY.toNanos();
            }
            sleep(POLL);
        }
    }

    /** What keeps the Sentinels from agreement now, or empty when they agree. */
    private Optional<String> gap() {
        Optional<HostPort> named = group.agreedMaster();
        if (named.isEmpty()) {
            return Optional.of("the Sentinels " + plan.sentinels() + " do not agree on a master for '" + plan.masterName() + "'");
        }
        HostPort master = named.get();
        String role = group.role(master);
        if (!"master".equals(role)) {
            return Optional.of("the Sentinels name " + master + ", which answers ROLE " + role
                    + " (a FAILOVER TO made beside Sentinel? they fail over once more, ~30-40 s after it)");
        }
        if (group.failoverInProgress()) return Optional.of("the Sentinels' own failover of '" + plan.masterName() + "' is under way");
        List<HostPort> replicas = group.replicasOf(master);
        if (replicas.isEmpty()) return Optional.of(master + " has no replica connected yet (ROLE), none to fail over to");
        return Optional.empty();
    }

    private void progress(long start, String what) {
        out.printf("  %-9s %s%n", "+" + (System.nanoTime() - start) / 1_000_000_000 + " s", what);
        out.flush();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
