package dev.ferry.topology;

import dev.ferry.config.HostPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The master rule, as pure logic: given what the Sentinels and nodes answered, who gets traffic.
 *
 * <ol>
 *   <li>The Sentinels are the authority on which history of the group is current: of the usable
 *       Sentinels (reachable, not in TILT) a majority of those configured must answer, and the
 *       address with the highest config epoch wins (an epoch only grows through a failover that a
 *       majority authorised, or an operator forced).</li>
 *   <li>Within that history Ferry follows the replication chain the nodes report: if the named node
 *       says master, it is the master; if it is a replica of T with its link up and T says master,
 *       T is (a {@code FAILOVER TO} handover that Sentinel has not caught up with).</li>
 *   <li>Any other node that says master gets nothing: never two masters. If it was routed to under
 *       an older epoch, it is an old master and is fenced.</li>
 *   <li>While Sentinel is promoting a replica (the hold), the current master's sessions are held,
 *       so that no write reaches it after the replica takes over; once the leader announces the
 *       promoted replica and it answers ROLE master, it is the master, before the epoch moves.</li>
 *   <li>Without a Sentinel majority, the last agreed master is kept while it still says master.</li>
 *   <li>Busy is not down. The master sessions are attached to keeps them while it answers {@code -BUSY}
 *       (a script past its time limit) or {@code -LOADING}, or nothing within the check timeout (a slow
 *       command, {@code DEBUG SLEEP}, a pause): as for Sentinel, it stops being master when it says so
 *       (ROLE), when the Sentinels' majority promotes another, or when it has been unavailable for the
 *       operator's {@code down-after}. A node that refuses or closes the connection is down at once.</li>
 * </ol>
 * Static mode (no Sentinels) keeps the master it has while it says master or is busy within
 * {@code down-after}, and takes a new one only when exactly one node claims master.
 */
public final class MasterElection {

    public Verdict decide(Observation o) {
        return o.staticMode() ? decideStatic(o) : decideWithSentinels(o);
    }

    private Verdict decideWithSentinels(Observation o) {
        List<String> warnings = new ArrayList<>();
        List<SentinelReport> usable = o.sentinels().stream().filter(SentinelReport::usable).toList();
        int majority = o.configuredSentinels() / 2 + 1;
        Authority authority = usable.size() >= majority ? authority(usable, warnings) : null;
        if (authority == null) {
            if (usable.size() < majority) {
                warnings.add("only " + usable.size() + " of " + o.configuredSentinels()
                        + " Sentinels answer; a majority (" + majority + ") is needed to follow a failover");
            }
            return keepLastKnown(o, warnings);
        }

        Optional<Verdict> promoted = promoted(o, authority, warnings);
        if (promoted.isPresent()) return promoted.get();

        Chain chain = followChain(o, authority.node);
        if (chain.master == null) {
            return Verdict.none(authority.epoch, authority.node, chain.why, claimantWarnings(o, null, authority, warnings));
        }
        Basis basis = chain.master.equals(authority.node) ? Basis.SENTINELS : Basis.HANDOVER;
        String reason;
        if (basis == Basis.SENTINELS) {
            reason = agreeing(usable, authority) + " of " + o.configuredSentinels() + " Sentinels name " + authority.node
                    + " (config epoch " + authority.epoch + ") and "
                    + "it " + (chain.atWork ? atWork(o, chain.master) : "answers ROLE master");
        } else {
            reason = "Sentinels name " + authority.node + " (config epoch " + authority.epoch + ") but it replicates from "
                    + chain.master + ", which " + (chain.atWork ? atWork(o, chain.master) : "answers ROLE master")
                    + ": a handover made outside Sentinel";
            warnings.add("the Sentinels disagree with the nodes: they still name " + authority.node + " while "
                    + chain.master + " is master (FAILOVER TO?); Sentinel will mark " + authority.node
                    + " down and fail over again, to a replica of its own choosing");
        }

        if (o.holdSinceEpoch().isPresent() && authority.epoch <= o.holdSinceEpoch().getAsLong()
                && chain.master.equals(o.previous().attached())) {
            return new Verdict(null, chain.master, authority.epoch, authority.node, Basis.NONE,
                    "Sentinel is promoting a replica: sessions on " + chain.master + " are held until the new master is known",
                    claimantWarnings(o, chain.master, authority, warnings), Set.of());
        }

        Set<HostPort> fence = new TreeSet<>();
        if (basis == Basis.SENTINELS) {
            for (NodeReport n : o.nodes().values()) {
                Long routedAt = o.masterEpochs().get(n.node());
                if (n.saysMaster() && !n.node().equals(chain.master) && routedAt != null && routedAt < authority.epoch) {
                    fence.add(n.node());
                }
            }
        }
        List<String> all = claimantWarnings(o, chain.master, authority, warnings);
        for (HostPort f : fence) {
            all.add(f + " still says master but was master at config epoch " + o.masterEpochs().get(f)
                    + " < " + authority.epoch + ": an old master, to be fenced");
        }
        return new Verdict(chain.master, null, authority.epoch, authority.node, basis, reason, all, fence);
    }

    /**
     * A promotion the Sentinel leader announced for the master the authority still names, confirmed by
     * the replica answering ROLE master: follow it now rather than a second later when the epoch moves.
     */
    private Optional<Verdict> promoted(Observation o, Authority authority, List<String> warnings) {
        if (o.promotion().isEmpty()) return Optional.empty();
        Promotion p = o.promotion().get();
        if (!p.of().equals(authority.node) || !o.node(p.replica()).saysMaster()) return Optional.empty();
        return Optional.of(new Verdict(p.replica(), null, authority.epoch, authority.node, Basis.PROMOTED,
                "Sentinel " + p.announcedBy() + " promoted " + p.replica() + " in its failover of " + p.of()
                        + " and it answers ROLE master; the Sentinels' epoch follows",
                claimantWarnings(o, p.replica(), authority, warnings), Set.of()));
    }

    /**
     * The node sessions are attached to, when it answers {@code -BUSY} or {@code -LOADING} or nothing in
     * time: a master at work, not a missing one, so it keeps its sessions until the operator's
     * {@code down-after} (if set) has passed.
     */
    private static boolean busyMaster(Observation o, HostPort node) {
        return node.equals(o.previous().attached()) && o.node(node).liveness().busy() && !pastDownAfter(o, node);
    }

    /** Sentinel's test for subjectively down: unavailable for longer than down-after. */
    private static boolean pastDownAfter(Observation o, HostPort node) {
        Duration unavailable = o.unavailableFor().get(node);
        return o.downAfter().isPresent() && unavailable != null && unavailable.compareTo(o.downAfter().get()) > 0;
    }

    /** Why a busy master keeps its sessions, for the verdict's reason. */
    private static String atWork(Observation o, HostPort node) {
        NodeReport r = o.node(node);
        String what = switch (r.liveness()) {
            case BUSY -> "answers -BUSY (a script or function past its time limit)";
            case LOADING -> "answers -LOADING (it is loading its dataset)";
            default -> "does not answer within the check timeout";
        };
        String until = o.staticMode() ? "it says otherwise" : "it says otherwise or the Sentinels promote another";
        String rule = o.downAfter().map(d -> ", or for down-after (" + d.toMillis() + " ms)").orElse("");
        return what + ": busy is not down, so it keeps its sessions until " + until + rule;
    }

    /** Without a majority: keep the master Ferry had while it still says master (or is busy); otherwise none. */
    private Verdict keepLastKnown(Observation o, List<String> warnings) {
        HostPort last = o.previous().attached();
        if (last != null && (o.node(last).saysMaster() || busyMaster(o, last))) {
            String state = o.node(last).saysMaster() ? "still answers ROLE master" : atWork(o, last);
            return new Verdict(last, null, o.previous().epoch(), o.previous().named(), Basis.LAST_KNOWN,
                    "no Sentinel majority; keeping the last agreed master " + last + ", which " + state,
                    claimantWarnings(o, last, null, warnings), Set.of());
        }
        String why = last == null
                ? "no Sentinel majority and no master agreed before"
                : "no Sentinel majority, and the last agreed master " + last + " " + describe(o, o.node(last));
        return Verdict.none(o.previous().epoch(), null, why, claimantWarnings(o, null, null, warnings));
    }

    private Verdict decideStatic(Observation o) {
        List<String> warnings = new ArrayList<>();
        if (o.nodes().size() == 1) {
            NodeReport only = o.nodes().values().iterator().next();
            if (only.up() || busyMaster(o, only.node())) {
                return new Verdict(only.node(), null, -1, null, Basis.SOLE, only.node() + " is the only server ("
                        + (only.up() ? "it answers ROLE " + only.role().word() : only.liveness().word()) + ")", warnings, Set.of());
            }
            return Verdict.none(-1, null, "the only server " + only.node() + " " + describe(o, only), warnings);
        }
        List<HostPort> claimants = o.nodes().values().stream().filter(NodeReport::saysMaster).map(NodeReport::node).sorted().toList();
        HostPort last = o.previous().master();
        if (last != null && claimants.contains(last)) {
            if (claimants.size() > 1) {
                warnings.add("conflict: " + claimants + " all say master; keeping " + last + ", the others get no traffic");
            }
            return new Verdict(last, null, -1, null, Basis.STATIC, last + " answers ROLE master", warnings, Set.of());
        }
        if (last != null && busyMaster(o, last)) {
            if (!claimants.isEmpty()) {
                warnings.add("conflict: " + claimants + " say master while " + last + " is " + o.node(last).liveness().word()
                        + "; keeping " + last + ", the others get no traffic");
            }
            return new Verdict(last, null, -1, null, Basis.STATIC, last + " " + atWork(o, last), warnings, Set.of());
        }
        if (claimants.size() == 1) {
            HostPort m = claimants.get(0);
            return new Verdict(m, null, -1, null, Basis.STATIC, m + " is the only node that answers ROLE master", warnings, Set.of());
        }
        if (claimants.isEmpty()) return Verdict.none(-1, null, "no node answers ROLE master", warnings);
        warnings.add("conflict: " + claimants + " all say master; routing to none of them");
        return Verdict.none(-1, null, "several nodes claim master and none was master before", warnings);
    }

    private record Authority(HostPort node, long epoch) {}

    /** The highest config epoch wins; at one epoch the address named most often. A tie is no authority. */
    private static Authority authority(List<SentinelReport> usable, List<String> warnings) {
        long top = usable.stream().mapToLong(SentinelReport::configEpoch).max().orElse(-1);
        Map<HostPort, Integer> votes = new HashMap<>();
        for (SentinelReport r : usable) {
            if (r.configEpoch() == top) votes.merge(r.master(), 1, Integer::sum);
        }
        int best = votes.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        List<HostPort> winners = votes.entrySet().stream().filter(e -> e.getValue() == best).map(Map.Entry::getKey).sorted().toList();
        Set<HostPort> named = new LinkedHashSet<>();
        usable.forEach(r -> named.add(r.master()));
        if (named.size() > 1) {
            StringBuilder sb = new StringBuilder("Sentinels disagree:");
            for (SentinelReport r : usable) sb.append(' ').append(r.sentinel()).append("->").append(r.master()).append("@").append(r.configEpoch());
            warnings.add(sb.toString());
        }
        if (winners.size() != 1) {
            warnings.add("Sentinels name " + winners + " at the same config epoch " + top + ": no authority");
            return null;
        }
        return new Authority(winners.get(0), top);
    }

    private static long agreeing(List<SentinelReport> usable, Authority a) {
        return usable.stream().filter(r -> r.master().equals(a.node) && r.configEpoch() == a.epoch).count();
    }

    /** @param atWork the master found is busy (see {@link #busyMaster}), not answering ROLE master */
    private record Chain(HostPort master, boolean atWork, String why) {}

    /** From the named node along "replica of, link up" to a node that says master, or to the busy master. */
    private static Chain followChain(Observation o, HostPort named) {
        Set<HostPort> seen = new HashSet<>();
        HostPort at = named;
        while (seen.add(at)) {
            NodeReport r = o.node(at);
            if (r.saysMaster()) return new Chain(at, false, null);
            if (busyMaster(o, at)) return new Chain(at, true, null);
            String whose = at.equals(named) ? "the Sentinels' choice " + at : at + " (reached from " + named + ")";
            if (!r.up()) return new Chain(null, false, whose + " " + describe(o, r));
            if (r.role() != Role.REPLICA || r.replicaOf() == null) {
                return new Chain(null, false, whose + " answers ROLE " + r.role().word());
            }
            if (!r.linkUp()) {
                return new Chain(null, false, whose + " is a replica of " + r.replicaOf() + " with its link down");
            }
            at = r.replicaOf();
        }
        return new Chain(null, false, "replication loop through " + seen);
    }

    /** Nodes that say master but get no traffic: said once per verdict, for logs and the stats page. */
    private static List<String> claimantWarnings(Observation o, HostPort master, Authority a, List<String> warnings) {
        List<String> out = new ArrayList<>(warnings);
        for (NodeReport n : o.nodes().values()) {
            if (n.saysMaster() && !n.node().equals(master)) {
                out.add(n.node() + " says master but gets no traffic"
                        + (a == null ? "" : ": the Sentinels name " + a.node + " (config epoch " + a.epoch + ")"));
            }
        }
        return out;
    }

    private static String describe(Observation o, NodeReport r) {
        if (r.up()) return "answers ROLE " + r.role().word();
        String detail = r.detail() == null || r.detail().isEmpty() ? "" : " (" + r.detail() + ")";
        if (r.liveness() == Liveness.DOWN) return "is down" + detail;
        String state = "is " + r.liveness().word() + detail;
        if (!pastDownAfter(o, r.node())) return state;
        return state + " for " + o.unavailableFor().get(r.node()).toMillis() + " ms, past down-after ("
                + o.downAfter().get().toMillis() + " ms)";
    }
}
