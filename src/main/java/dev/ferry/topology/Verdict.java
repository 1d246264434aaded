package dev.ferry.topology;

import dev.ferry.config.HostPort;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Who is master and why.
 *
 * @param master   the node to route to now; null when none
 * @param held     a node whose client sessions are held (reads paused, not cut) while Sentinel
 *                 promotes a replica; null when nothing is held
 * @param epoch    the Sentinels' config epoch behind the decision (-1 in static mode or unknown)
 * @param named    the node the Sentinels' majority names (null in static mode or without majority)
 * @param basis    why
 * @param reason   one line an operator can read
 * @param warnings what disagrees (Sentinels vs nodes, two claimants, a missing majority)
 * @param fence    old masters to demote: they still say master though a newer epoch names another
 */
public record Verdict(
        HostPort master, HostPort held, long epoch, HostPort named, Basis basis, String reason,
        List<String> warnings, Set<HostPort> fence) {

    public static final Verdict INITIAL = none(-1, null, "starting: no check has answered yet", List.of());

    public Verdict {
        warnings = List.copyOf(warnings);
        fence = Set.copyOf(fence);
    }

    public static Verdict none(long epoch, HostPort named, String reason, List<String> warnings) {
        return new Verdict(null, null, epoch, named, Basis.NONE, reason, warnings, Set.of());
    }

    public boolean hasMaster() {
        return master != null;
    }

    /** The same routing (master, held, basis): a new verdict that changes none of these is not a transition. */
    public boolean sameRouting(Verdict o) {
        return o != null && Objects.equals(master, o.master) && Objects.equals(held, o.held) && basis == o.basis;
    }

    /** Where sessions are attached now: the master, else the held node. */
    public HostPort attached() {
        return master != null ? master : held;
    }
}
