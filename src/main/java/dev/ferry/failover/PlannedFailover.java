package dev.ferry.failover;

import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
import dev.ferry.proxy.Router;
import dev.ferry.resp.Connector;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.RoleReply;
import dev.ferry.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A planned switch of master that loses no acknowledged write and ends with every Sentinel and every
 * node agreeing, so Sentinel does not fail over again afterwards (as it does after a bare FAILOVER TO).
 *
 * <ol>
 *   <li>Survey: a Sentinel majority agrees on the master M (no failover in progress), M answers ROLE
 *       master, the target T is a replica of M in sync. Otherwise refuse, changing nothing.</li>
 *   <li>Steer: {@code replica-priority 0} on every other replica, and wait until every Sentinel has seen
 *       it (Sentinel reads priorities from INFO every 10 s), so that Sentinel can only pick T.</li>
 *   <li>Pause: Ferry holds client traffic to M; {@code CLIENT PAUSE WRITE} on M stops writes from every
 *       other client and Ferry instance (bounded: Redis unpauses itself if we die).</li>
 *   <li>Sync: wait until T has applied M's final offset.</li>
 *   <li>Promote: {@code SENTINEL FAILOVER}; as soon as T answers master, Ferry routes to it, M is
 *       demoted with {@code REPLICAOF T} and unpaused (held writes there get -READONLY, never an OK).</li>
 *   <li>Converge: wait until every Sentinel names T with a newer epoch and every node follows T; then
 *       restore the priorities.</li>
 * </ol>
 * Every failure before the promotion rolls back: M unpaused, the hold released, priorities restored.
 */
public final class PlannedFailover {
    private static final Logger log = LoggerFactory.getLogger(PlannedFailover.class);
    private static final Duration STEER_TIMEOUT = Duration.ofSeconds(25);
    private static final Duration SYNC_BUDGET = Duration.ofMillis(500);
    private static final Duration PROMOTION_BUDGET = Duration.ofSeconds(3);
    private static final Duration CONVERGE_TIMEOUT = Duration.ofSeconds(30);
    /** CLIENT PAUSE's own timeout: Redis resumes writes by itself if this process dies mid-way. */
    private static final Duration PAUSE_SAFETY = Duration.ofSeconds(5);

    private final FrontendConfig config;
    private final Optional<Topology> topology;
    private final Optional<Router> router;
    private final RedisAdmin redis;
    private final List<String> steps = new ArrayList<>();
    private final long startNanos = System.nanoTime();

    /** Called before each step of the switch by name ("pause", "sync", "promote"); tests inject faults here. */
    interface StepHook {
        void before(String step) throws Exception;
    }

    private final StepHook hook;

    public PlannedFailover(FrontendConfig config, Optional<Topology> topology, Optional<Router> router) {
        this(config, topology, router, step -> { });
    }

    PlannedFailover(FrontendConfig config, Optional<Topology> topology, Optional<Router> router, StepHook hook) {
        this.hook = hook;
        this.config = config;
        this.topology = topology;
        this.router = router;
        this.redis = new RedisAdmin(Connector.toNodes(config).withTimeout(config.check().timeout().plusMillis(500)),
                Connector.toSentinels(config).withTimeout(config.check().timeout().plusMillis(500)));
    }

    public FailoverReport run(Optional<HostPort> requested) throws FailoverRefused, FailoverFailed {
        if (config.staticMode()) throw new FailoverRefused("frontend '" + config.name() + "' has no Sentinels: a planned failover needs them");
        Survey s = Survey.take(config, redis);
        HostPort m = s.master();
        HostPort t = s.chooseTarget(requested);
        refuseUnpromotable(t);
        step("survey: master " + m + " (config epoch " + s.epoch() + ", " + s.agreeing() + " of " + config.sentinels().size()
                + " Sentinels agree), target " + t + " in sync (offset " + s.offsetOf(t) + " of " + s.masterOffset() + ")");

        Map<HostPort, String> priorities = new LinkedHashMap<>();
        boolean promoted = false;
        try {
            steer(s, t, priorities);
            promoted = switchOver(s, m, t);
            return converge(s, m, t);
        } finally {
            restore(priorities, promoted);
        }
    }

    /** Sentinel never promotes a replica with replica-priority 0: say so before changing anything. */
    private void refuseUnpromotable(HostPort t) throws FailoverRefused {
        try {
            if ("0".equals(redis.configGet(t, "replica-priority"))) {
                throw new FailoverRefused(t + " has replica-priority 0: Sentinel never promotes it");
            }
        } catch (FailoverRefused e) {
            throw e;
        } catch (Exception e) {
            throw new FailoverRefused("cannot read replica-priority of " + t + ": " + e.getMessage());
        }
    }

    private void beforeStep(String name, HostPort m) throws FailoverFailed {
        try {
            hook.before(name);
        } catch (Exception e) {
            rollback(m);
            throw new FailoverFailed("step " + name + " failed: " + e.getMessage() + "; rolled back");
        }
    }

    private void steer(Survey s, HostPort t, Map<HostPort, String> priorities) throws FailoverRefused {
        List<HostPort> others = s.replicas().stream().filter(r -> !r.equals(t)).toList();
        try {
            for (HostPort r : others) {
                String p = redis.configGet(r, "replica-priority");
                priorities.put(r, p);
                redis.nodeOk(r, "CONFIG", "SET", "replica-priority", "0");
            }
        } catch (Exception e) {
            throw new FailoverRefused("cannot steer Sentinel's choice with replica-priority: " + e.getMessage());
        }
        if (others.isEmpty()) return;
        step("steer: replica-priority 0 on " + others + "; waiting until every Sentinel has read it (INFO every 10 s)");
        long deadline = System.nanoTime() + STEER_TIMEOUT.toNanos();
        while (!s.sentinelsSeeZeroPriority(others, redis)) {
            if (System.nanoTime() > deadline) {
                throw new FailoverRefused("the Sentinels did not see the replica-priority change within " + STEER_TIMEOUT.toSeconds() + " s");
            }
            sleep(200);
        }
        step("steer: every Sentinel sees replica-priority 0 on " + others);
    }

    /** Pause, sync, promote. Returns true once T is master; rolls back and throws before that point. */
    private boolean switchOver(Survey s, HostPort m, HostPort t) throws FailoverFailed {
        int sessions = router.map(r -> r.sessionsOn(m)).orElse(-1);
        this.sessionsBefore = sessions;
        pauseStartNanos = System.nanoTime();
        try {
            if (topology.isPresent()) topology.get().holdForPlannedFailover("planned failover to " + t, PROMOTION_BUDGET.plus(SYNC_BUDGET));
            redis.nodeOk(m, "CLIENT", "PAUSE", Long.toString(PAUSE_SAFETY.toMillis()), "WRITE");
        } catch (Exception e) {
            rollback(m);
            throw new FailoverFailed("could not pause writes on " + m + ": " + e.getMessage() + "; rolled back");
        }
        step("pause: " + (topology.isPresent() ? "client traffic held at Ferry and " : "") + "CLIENT PAUSE WRITE on " + m);
        long masterOffset;
        long targetOffset = -1;
        beforeStep("sync", m);
        try {
            masterOffset = redis.offset(m);
            long deadline = System.nanoTime() + SYNC_BUDGET.toNanos();
            while ((targetOffset = redis.offset(t)) < masterOffset) {
                if (System.nanoTime() > deadline) {
                    rollback(m);
                    throw new FailoverFailed(t + " did not catch up within " + SYNC_BUDGET.toMillis() + " ms (offset " + targetOffset
                            + " of " + masterOffset + "); rolled back: " + m + " unpaused, still master");
                }
                sleep(2);
            }
        } catch (FailoverFailed e) {
            throw e;
        } catch (Exception e) {
            rollback(m);
            throw new FailoverFailed("sync check failed: " + e.getMessage() + "; rolled back");
        }
        offsets.put(m + " at pause", masterOffset);
        offsets.put(t + " at pause", targetOffset);
        step("sync: " + t + " applied offset " + targetOffset + " >= " + masterOffset + " after " + sinceMillis(pauseStartNanos) + " ms");

        beforeStep("promote", m);
        HostPort leader = null;
        for (HostPort sentinel : s.usableSentinels()) {
            try {
                Object r = redis.sentinel(sentinel, "SENTINEL", "FAILOVER", config.masterName());
                if (r instanceof ErrorReply e) {
                    step("promote: Sentinel " + sentinel + " refused SENTINEL FAILOVER: " + e.message());
                    continue;
                }
                leader = sentinel;
                break;
            } catch (Exception e) {
                step("promote: Sentinel " + sentinel + " unreachable: " + e.getMessage());
            }
        }
        if (leader == null) {
            rollback(m);
            throw new FailoverFailed("no Sentinel accepted SENTINEL FAILOVER; rolled back: " + m + " unpaused, still master");
        }
        step("promote: SENTINEL FAILOVER " + config.masterName() + " accepted by " + leader);
        long deadline = System.nanoTime() + PROMOTION_BUDGET.toNanos();
        while (true) {
            try {
                if (redis.role(t) instanceof RoleReply.Master) break;
            } catch (Exception e) {
                // Sentinel kills client connections of the node it reconfigures: ask again.
            }
            if (System.nanoTime() > deadline) {
                rollback(m);
                throw new FailoverFailed(t + " was not promoted within " + PROMOTION_BUDGET.toMillis() + " ms; " + m
                        + " unpaused. Sentinel may still complete its failover: Ferry follows it");
            }
            sleep(5);
        }
        HostPort announcer = leader;
        topology.ifPresent(tp -> tp.notePromotion(t, m, announcer));
        step("promote: " + t + " answers ROLE master after " + sinceMillis(pauseStartNanos) + " ms");
        try {
            redis.nodeOk(m, "REPLICAOF", t.host(), Integer.toString(t.port()));
            redis.nodeOk(m, "CLIENT", "UNPAUSE");
            step("fence: " + m + " REPLICAOF " + t + ", then CLIENT UNPAUSE (writes held there now get -READONLY)");
        } catch (Exception e) {
            step("fence: " + m + " could not be demoted (" + e.getMessage() + "); Sentinel converts it shortly; its pause ends by itself");
        }
        if (topology.isPresent()) {
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (!t.equals(topology.get().snapshot().verdict().master()) && System.nanoTime() < until) sleep(2);
        }
        pausedMillis = sinceMillis(pauseStartNanos);
        step("route: " + (topology.isPresent() ? "Ferry routes to " + t : t + " is master") + " " + pausedMillis + " ms after writes were paused");
        return true;
    }

    private FailoverReport converge(Survey s, HostPort m, HostPort t) {
        long deadline = System.nanoTime() + CONVERGE_TIMEOUT.toNanos();
        Survey now = null;
        boolean converged = false;
        while (System.nanoTime() < deadline) {
            try {
                now = Survey.take(config, redis);
                if (now.master().equals(t) && now.epoch() > s.epoch() && now.allFollow(t, redis)) {
                    converged = true;
                    break;
                }
            } catch (Exception e) {
                // Mid-failover the Sentinels disagree for a moment: ask again.
            }
            sleep(200);
        }
        if (converged) {
            step("converge: every Sentinel names " + t + " (config epoch " + now.epoch() + ") and every node follows it, after "
                    + sinceMillis(startNanos) + " ms");
            for (HostPort n : now.replicas()) {
                try {
                    offsets.put(n.toString(), redis.offset(n));
                } catch (Exception e) {
                    offsets.put(n.toString(), -1L);
                }
            }
        } else {
            step("converge: NOT within " + CONVERGE_TIMEOUT.toSeconds() + " s; check `ferry check` and the Sentinels' logs");
        }
        try {
            offsets.put(t.toString(), redis.offset(t));
        } catch (Exception e) {
            offsets.put(t.toString(), -1L);
        }
        long epochAfter = now == null ? -1 : now.epoch();
        return new FailoverReport(config.name(), m, t, s.epoch(), epochAfter, pausedMillis, sinceMillis(startNanos),
                sessionsBefore, offsets, converged, steps);
    }

    private void rollback(HostPort m) {
        try {
            redis.node(m, "CLIENT", "UNPAUSE");
        } catch (Exception e) {
            step("rollback: CLIENT UNPAUSE on " + m + " failed (" + e.getMessage() + "); its pause ends by itself within "
                    + PAUSE_SAFETY.toSeconds() + " s");
        }
        topology.ifPresent(tp -> {
            try {
                tp.releaseHold();
            } catch (Exception e) {
                step("rollback: releasing Ferry's hold failed: " + e.getMessage());
            }
        });
        step("rollback: " + m + " unpaused, hold released");
    }

    private void restore(Map<HostPort, String> priorities, boolean promoted) {
        for (Map.Entry<HostPort, String> e : priorities.entrySet()) {
            try {
                redis.nodeOk(e.getKey(), "CONFIG", "SET", "replica-priority", Objects.requireNonNullElse(e.getValue(), "100"));
            } catch (Exception ex) {
                step("restore: replica-priority on " + e.getKey() + " could not be restored to " + e.getValue() + ": " + ex.getMessage());
            }
        }
        if (!priorities.isEmpty()) step("restore: replica-priority back to " + priorities.values() + " on " + priorities.keySet());
    }

    private long pauseStartNanos;
    private long pausedMillis = -1;
    private int sessionsBefore = -1;
    private final Map<String, Long> offsets = new LinkedHashMap<>();

    private void step(String s) {
        String line = String.format("%6d ms  %s", sinceMillis(startNanos), s);
        steps.add(line);
        log.info("[{}] failover {}", config.name(), s);
    }

    private static long sinceMillis(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
