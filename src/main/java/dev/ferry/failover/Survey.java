package dev.ferry.failover;

import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
import dev.ferry.resp.InfoReplica;
import dev.ferry.resp.MasterAddressReply;
import dev.ferry.resp.RoleReply;
import dev.ferry.resp.SentinelFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the Sentinels and the nodes say right now, and whether a planned failover may start: a Sentinel
 * majority agreeing on one master at one epoch with no failover in progress, and that node saying master.
 */
final class Survey {
    private final FrontendConfig config;
    private final HostPort master;
    private final long epoch;
    private final List<HostPort> usableSentinels;
    private final List<HostPort> replicas;
    private final long masterOffset;
    private final Map<HostPort, Long> offsets = new HashMap<>();
    private final Map<HostPort, Boolean> online = new HashMap<>();

    private Survey(FrontendConfig config, HostPort master, long epoch, List<HostPort> usable, List<HostPort> replicas, long masterOffset) {
        this.config = config;
        this.master = master;
        this.epoch = epoch;
        this.usableSentinels = usable;
        this.replicas = replicas;
        this.masterOffset = masterOffset;
    }

    static Survey take(FrontendConfig config, RedisAdmin redis) throws FailoverRefused {
        List<HostPort> usable = new ArrayList<>();
        Set<String> answers = new LinkedHashSet<>();
        Set<HostPort> replicas = new LinkedHashSet<>();
        HostPort named = null;
        long epoch = -1;
        for (HostPort s : config.sentinels()) {
            try {
                HostPort n = MasterAddressReply.parse(redis.sentinel(s, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", config.masterName()));
                SentinelFields record = SentinelFields.parse(redis.sentinel(s, "SENTINEL", "MASTER", config.masterName()));
                Object reps = redis.sentinel(s, "SENTINEL", "REPLICAS", config.masterName());
                long e = record.configEpoch();
                if (n == null || e < 0) continue; // no address or no epoch (an unknown name, an error): no say
                if (record.failoverInProgress()) {
                    throw new FailoverRefused("Sentinel " + s + " is failing over " + config.masterName() + " right now; try again when it is done");
                }
                usable.add(s);
                answers.add(n + "@" + e);
                named = n;
                epoch = e;
                for (SentinelFields r : SentinelFields.parseEach(reps)) {
                    if (!r.subjectivelyDown() && r.address() != null) replicas.add(r.address());
                }
            } catch (FailoverRefused e) {
                throw e;
            } catch (Exception e) {
                // An unreachable Sentinel simply does not count towards the majority.
            }
        }
        int majority = config.sentinels().size() / 2 + 1;
        if (usable.size() < majority) {
            throw new FailoverRefused("the Sentinels have no majority: only " + usable.size() + " of " + config.sentinels().size()
                    + " answer (" + majority + " needed)");
        }
        if (answers.size() > 1) {
            throw new FailoverRefused("the Sentinels disagree (" + String.join(", ", answers) + "); try again when they agree");
        }
        long masterOffset;
        try {
            RoleReply role = redis.role(named);
            if (!(role instanceof RoleReply.Master m)) {
                throw new FailoverRefused("the Sentinels name " + named + " but it answers ROLE " + role.word()
                        + " (a handover made outside Sentinel?); wait until Sentinel and the nodes agree");
            }
            masterOffset = m.offset();
            replicas.addAll(m.replicaAddresses());
        } catch (FailoverRefused e) {
            throw e;
        } catch (Exception e) {
            throw new FailoverRefused("the master " + named + " does not answer: " + e.getMessage());
        }
        replicas.remove(named);
        Survey s = new Survey(config, named, epoch, usable, List.copyOf(replicas), masterOffset);
        s.readReplicaStates(redis);
        return s;
    }

    /** From the master's INFO replication: which replicas are online and acknowledged within a second. */
    private void readReplicaStates(RedisAdmin redis) {
        try {
            for (InfoReplica r : InfoReplica.listedIn(redis.info(master, "replication"))) {
                offsets.put(r.address(), r.offset());
                online.put(r.address(), r.online() && r.lag() >= 0 && r.lag() <= 1); // no lag given: not in sync
            }
        } catch (Exception e) {
            // Without INFO no replica counts as in sync; the refusal says so.
        }
    }

    HostPort chooseTarget(Optional<HostPort> requested) throws FailoverRefused {
        if (requested.isPresent()) {
            HostPort t = requested.get();
            if (!replicas.contains(t)) {
                throw new FailoverRefused(t + " is not a known replica of " + master + " (known: " + replicas + ")");
            }
            if (!Boolean.TRUE.equals(online.get(t))) {
                throw new FailoverRefused(t + " is not in sync with " + master + " (not online, or its last acknowledgement is over 1 s old)");
            }
            return t;
        }
        return replicas.stream().filter(r -> Boolean.TRUE.equals(online.get(r)))
                .max(Comparator.comparingLong(r -> offsets.getOrDefault(r, -1L)))
                .orElseThrow(() -> new FailoverRefused("no replica is in sync with " + master + " (known: " + replicas + ")"));
    }

    /** Whether every usable Sentinel reads replica-priority 0 on each of {@code others}. */
    boolean sentinelsSeeZeroPriority(List<HostPort> others, RedisAdmin redis) {
        for (HostPort s : usableSentinels) {
            try {
                Object reps = redis.sentinel(s, "SENTINEL", "REPLICAS", config.masterName());
                int zero = 0;
                for (SentinelFields r : SentinelFields.parseEach(reps)) {
                    if (others.contains(r.address()) && r.replicaPriority() == 0) zero++;
                }
                if (zero < others.size()) return false;
            } catch (Exception e) {
                return false;
            }
        }
        return true;
    }

    /** Every other node answers ROLE replica of {@code t} with its link up. */
    boolean allFollow(HostPort t, RedisAdmin redis) {
        for (HostPort r : replicas) {
            try {
                boolean follows = redis.role(r) instanceof RoleReply.Replica role && t.equals(role.master()) && role.linkUp();
                if (!follows) return false;
            } catch (Exception e) {
                return false;
            }
        }
        return true;
    }

    HostPort master() {
        return master;
    }

    long epoch() {
        return epoch;
    }

    int agreeing() {
        return usableSentinels.size();
    }

    List<HostPort> usableSentinels() {
        return usableSentinels;
    }

    List<HostPort> replicas() {
        return replicas;
    }

    long masterOffset() {
        return masterOffset;
    }

    long offsetOf(HostPort r) {
        return offsets.getOrDefault(r, -1L);
    }
}
