package dev.ferry.failover;

import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
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
                Object addr = redis.sentinel(s, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", config.masterName());
                Object info = redis.sentinel(s, "SENTINEL", "MASTER", config.masterName());
                Object reps = redis.sentinel(s, "SENTINEL", "REPLICAS", config.masterName());
                if (!(addr instanceof List<?> a) || !(info instanceof List<?> fields)) continue;
                HostPort n = new HostPort(String.valueOf(a.get(0)), Integer.parseInt(String.valueOf(a.get(1))));
                long e = Long.parseLong(String.valueOf(field(fields, "config-epoch")));
                String flags = String.valueOf(field(fields, "flags"));
                if (flags.contains("failover_in_progress")) {
                    throw new FailoverRefused("Sentinel " + s + " is failing over " + config.masterName() + " right now; try again when it is done");
                }
                usable.add(s);
                answers.add(n + "@" + e);
                named = n;
                epoch = e;
                if (reps instanceof List<?> list) {
                    for (Object r : list) {
                        if (r instanceof List<?> rf && !String.valueOf(field(rf, "flags")).contains("s_down")) {
                            replicas.add(new HostPort(String.valueOf(field(rf, "ip")), Integer.parseInt(String.valueOf(field(rf, "port")))));
                        }
                    }
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
            List<?> role = redis.role(named);
            if (!"master".equals(role.get(0))) {
                throw new FailoverRefused("the Sentinels name " + named + " but it answers ROLE " + role.get(0)
                        + " (a handover made outside Sentinel?); wait until Sentinel and the nodes agree");
            }
            masterOffset = (Long) role.get(1);
            for (Object r : (List<?>) role.get(2)) {
                List<?> rr = (List<?>) r;
                replicas.add(new HostPort(String.valueOf(rr.get(0)), Integer.parseInt(String.valueOf(rr.get(1)))));
            }
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
            Map<String, String> info = redis.info(master, "replication");
            for (Map.Entry<String, String> e : info.entrySet()) {
                if (!e.getKey().matches("slave\\d+")) continue;
                Map<String, String> kv = new HashMap<>();
                for (String part : e.getValue().split(",")) {
                    int eq = part.indexOf('=');
                    if (eq > 0) kv.put(part.substring(0, eq), part.substring(eq + 1));
                }
                HostPort r = new HostPort(kv.get("ip"), Integer.parseInt(kv.get("port")));
                offsets.put(r, Long.parseLong(kv.getOrDefault("offset", "-1")));
                online.put(r, "online".equals(kv.get("state")) && Long.parseLong(kv.getOrDefault("lag", "99")) <= 1);
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
                for (Object r : (List<?>) reps) {
                    List<?> rf = (List<?>) r;
                    HostPort hp = new HostPort(String.valueOf(field(rf, "ip")), Integer.parseInt(String.valueOf(field(rf, "port"))));
                    if (others.contains(hp) && "0".equals(String.valueOf(field(rf, "slave-priority")))) zero++;
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
                List<?> role = redis.role(r);
                boolean follows = "slave".equals(role.get(0)) && t.host().equals(String.valueOf(role.get(1)))
                        && t.port() == ((Long) role.get(2)).intValue() && "connected".equals(role.get(3));
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

    static Object field(List<?> fields, String name) {
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            if (name.equals(String.valueOf(fields.get(i)))) return fields.get(i + 1);
        }
        return null;
    }
}
