package dev.ferry.topology;

import dev.ferry.config.HostPort;
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
 * </ol>
 * Static mode (no Sentinels) keeps the master it has while it says master, and takes a new one only
 * when exactly one node claims master.
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
            HostPort silent = silentMaster(o);
            if (silent != null && authority.node.equals(o.previous().named())) {
                return new Verdict(null, silent, authority.epoch, authority.node, Basis.NONE,
                        "the master " + silent + " does not answer (timeout): its sessions are held, new connections wait",
                        claimantWarnings(o, null, authority, warnings), Set.of());
            }
            return Verdict.none(authority.epoch, authority.node, chain.why, claimantWarnings(o, null, authority, warnings));
        }
        Basis basis = chain.master.equals(authority.node) ? Basis.SENTINELS : Basis.HANDOVER;
        String reason;
        if (basis == Basis.SENTINELS) {
            reason = agreeing(usable, authority) + " of " + o.configuredSentinels() + " Sentinels name " + authority.node
                    + " (config epoch " + authority.epoch + ") and it answers ROLE master";
        } else {
            reason = "Sentinels name " + authority.node + " (config epoch " + authority.epoch + ") but it replicates from "
                    + chain.master + ", which answers ROLE master: a handover made outside Sentinel";
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
     * The node sessions are attached to, when it only times out: it may be paused or overloaded rather
     * than gone, so its sessions are held (not cut) until it answers or another master is chosen.
     */
    private static HostPort silentMaster(Observation o) {
        HostPort last = o.previous().attached();
        if (last == null) return null;
        NodeReport r = o.node(last);
        return !r.up() && "timeout".equals(r.detail()) ? last : null;
    }

    /** Without a majority: keep the master Ferry had while it still says master; otherwise none. */
    private Verdict keepLastKnown(Observation o, List<String> warnings) {
        HostPort last = o.previous().attached();
        if (last != null && o.node(last).saysMaster()) {
            return new Verdict(last, null, o.previous().epoch(), o.previous().named(), Basis.LAST_KNOWN,
                    "no Sentinel majority; keeping the last agreed master " + last + ", which still answers ROLE master",
                    claimantWarnings(o, last, null, warnings), Set.of());
        }
        HostPort silent = silentMaster(o);
        if (silent != null) {
            return new Verdict(null, silent, o.previous().epoch(), o.previous().named(), Basis.NONE,
                    "no Sentinel majority and the last master " + silent + " does not answer (timeout): sessions held",
                    claimantWarnings(o, null, null, warnings), Set.of());
        }
        String why = last == null
                ? "no Sentinel majority and no master agreed before"
                : "no Sentinel majority, and the last agreed master " + last + " " + describe(o.node(last));
        return Verdict.none(o.previous().epoch(), null, why, claimantWarnings(o, null, null, warnings));
    }

    private Verdict decideStatic(Observation o) {
        List<String> warnings = new ArrayList<>();
        List<HostPort> claimants = o.nodes().values().stream().filter(NodeReport::saysMaster).map(NodeReport::node).sorted().toList();
        HostPort last = o.previous().master();
        if (last != null && claimants.contains(last)) {
            if (claimants.size() > 1) {
                warnings.add("conflict: " + claimants + " all say master; keeping " + last + ", the others get no traffic");
            }
            return new Verdict(last, null, -1, null, Basis.STATIC, last + " answers ROLE master", warnings, Set.of());
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

    private record Chain(HostPort master, String why) {}

    /** From the named node along "replica of, link up" to a node that says master. */
    private static Chain followChain(Observation o, HostPort named) {
        Set<HostPort> seen = new HashSet<>();
        HostPort at = named;
        while (seen.add(at)) {
            NodeReport r = o.node(at);
            if (r.saysMaster()) return new Chain(at, null);
            String whose = at.equals(named) ? "the Sentinels' choice " + at : at + " (reached from " + named + ")";
            if (!r.up()) return new Chain(null, whose + " " + describe(r));
            if (r.role() != Role.REPLICA || r.replicaOf() == null) {
                return new Chain(null, whose + " answers ROLE " + r.role().word());
            }
            if (!r.linkUp()) {
                return new Chain(null, whose + " is a replica of " + r.replicaOf() + " with its link down");
            }
            at = r.replicaOf();
        }
        return new Chain(null, "replication loop through " + seen);
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

    private static String describe(NodeReport r) {
        if (r.up()) return "answers ROLE " + r.role().word();
        return "is down" + (r.detail() == null || r.detail().isEmpty() ? "" : " (" + r.detail() + ")");
    }
}
