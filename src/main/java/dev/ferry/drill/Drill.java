package dev.ferry.drill;

import dev.ferry.config.HostPort;
import dev.ferry.failover.FailoverFailed;
import dev.ferry.failover.FailoverRefused;
import dev.ferry.failover.PlannedFailover;
import dev.ferry.resp.RedisException;
import dev.ferry.resp.RedisLink;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * One run of the seed document's failover test, measured: writers and probes through every instance, the
 * failover (Sentinel, planned, or kill -9 of the master), the wait for the new master, the report.
 */
public final class Drill {
    /** How the drill fails the master over. */
    public enum Failover { SENTINEL, PLANNED, CRASH }

    private static final Duration SETTLE = Duration.ofSeconds(1);
    private static final Duration AFTER = Duration.ofSeconds(2);

    private final DrillPlan plan;
    private final Failover failover;
    private final Duration timeout;
    private final Duration interval;
    private final Duration agreeWait;
    private final boolean keepKeys;
    private final PrintWriter out;
    private final DrillGroup group;
    private final DrillKeys keys = new DrillKeys();
    private CompletableFuture<String> plannedReport;
    private long t0;

    /** {@code agreeWait}: how long to wait for the Sentinels to agree before drilling ({@link SentinelAgreement}). */
    public Drill(DrillPlan plan, Failover failover, Duration timeout, Duration interval, Duration agreeWait, boolean keepKeys, PrintWriter out) {
        this.agreeWait = agreeWait;
        this.plan = plan;
        this.failover = failover;
        this.timeout = timeout;
        this.interval = interval;
        this.keepKeys = keepKeys;
        this.out = out;
        this.group = new DrillGroup(plan);
    }

    /** Runs the drill and prints its report; 0 when every instance recovered and no acknowledged write was lost, else 1. */
    public int run() throws DrillStopped {
        boolean crash = failover == Failover.CRASH;
        HostPort old = new SentinelAgreement(plan, group, out).await(agreeWait);
        String oldRunId = group.info(old, "server").get("run_id");
        MasterCrash victim = crash ? MasterCrash.find(old, group) : null;
        checkTargetsAnswer();
        String prefix = keys.prefix();
        out.println("ferry drill: " + (crash ? "kill -9 of the master" : "SENTINEL FAILOVER " + plan.masterName()) + " through "
                + plan.targets().size() + " Ferry instance(s): " + plan.targets().stream().map(t -> t.name() + " " + t.address())
                .collect(Collectors.joining(", ")));
        out.println("  master before: " + old + " (the Sentinels agree); keys " + prefix + ":*");
        out.println("  writers: per instance one new connection per write and one persistent connection, every "
                + interval.toMillis() + " ms; a probe every " + SwitchProbe.INTERVAL.toMillis() + " ms tells which node took each write");
        out.flush();

        Map<DrillTarget, List<DrillWriter>> writers = new LinkedHashMap<>();
        Map<DrillTarget, SwitchProbe> probes = new LinkedHashMap<>();
        for (DrillTarget t : plan.targets()) {
            writers.put(t, List.of(
                    new DrillWriter(t.name() + " new conn", WriteLoad.start(t.address(), plan.redisAuth(), interval, false, prefix + ":" + t.name() + ":fresh")),
                    new DrillWriter(t.name() + " persistent", WriteLoad.start(t.address(), plan.redisAuth(), interval, true, prefix + ":" + t.name() + ":kept"))));
            probes.put(t, SwitchProbe.start(t, plan.redisAuth(), prefix + ":" + t.name() + ":probe"));
        }
        HostPort now = null;
        try {
            sleep(SETTLE);
            for (Map.Entry<DrillTarget, List<DrillWriter>> e : writers.entrySet()) {
                for (DrillWriter w : e.getValue()) {
                    if (w.load().acked().isEmpty()) {
                        throw DrillStopped.failure("writes through " + e.getKey().name() + " fail before any failover: " + w.load().failures()
                                + "; is that instance routing to a master?");
                    }
                }
            }
            t0 = System.nanoTime();
            String how = switch (failover) {
                case CRASH -> victim.kill();
                case PLANNED -> plannedFailover();
                case SENTINEL -> group.sentinelFailover();
            };
            progress(0, how);
            DrillOutcome o = await(old, probes);
            now = o.master();
            if (o.recovered()) {
                progress(o.recoveredNanos(), "writes reach " + now + " through every instance; writing " + AFTER.toSeconds() + " s more");
                sleep(AFTER);
            } else {
                progress(System.nanoTime() - t0, "NO RECOVERY within " + timeout.toSeconds() + " s: " + o.missing());
            }
            stop(writers, probes);
            if (plannedReport != null) out.print(plannedReport.join());
            return new DrillReport(plan, timeout, out).print(old, oldRunId, o, t0, writers, probes);
        } finally {
            stop(writers, probes);
            if (!keepKeys) keys.remove(now != null ? now : old, plan.redisAuth(), out);
        }
    }

    private void checkTargetsAnswer() throws DrillStopped {
        for (DrillTarget t : plan.targets()) {
            try (RedisLink l = RedisLink.open(t.address(), plan.redisAuth(), DrillGroup.LINK_TIMEOUT, null)) {
                Object r = l.call("PING");
                if (!"PONG".equals(r)) throw DrillStopped.failure(t.name() + " (" + t.address() + ") answers PING with " + r);
            } catch (IOException | RedisException e) {
                throw DrillStopped.failure(t.name() + " (" + t.address() + ") does not take connections: " + e.getMessage());
            }
        }
    }

    /** Polls until the Sentinels agree on another master that says so, and a probe write through every instance reached it. */
    private DrillOutcome await(HostPort old, Map<DrillTarget, SwitchProbe> probes) {
        long deadline = t0 + timeout.toNanos();
        HostPort master = null;
        String runId = null;
        long agreed = -1;
        while (true) {
            if (master == null) {
                Optional<HostPort> m = group.agreedMaster();
                if (m.isPresent() && !m.get().equals(old) && "master".equals(group.role(m.get()))) {
                    master = m.get();
                    agreed = System.nanoTime() - t0;
                    runId = group.info(master, "server").get("run_id");
                    progress(agreed, "the Sentinels agree on the new master " + master);
                }
            }
            if (master != null && runId != null) {
                String id = runId;
                List<String> waiting = probes.entrySet().stream().filter(e -> e.getValue().firstOn(id, t0) < 0)
                        .map(e -> e.getKey().name()).toList();
                if (waiting.isEmpty()) return new DrillOutcome(master, runId, agreed, System.nanoTime() - t0, "");
                if (System.nanoTime() - deadline > 0) {
                    return new DrillOutcome(master, runId, agreed, -1, "no write through " + String.join(", ", waiting) + " reached " + master);
                }
            } else if (System.nanoTime() - deadline > 0) {
                return new DrillOutcome(null, null, -1, -1, "the Sentinels name no new master that answers ROLE master");
            }
            sleep(Duration.ofMillis(50));
        }
    }

    /**
     * {@code ferry failover} from this process, on a thread of its own so the writers and probes keep
     * measuring; its report is printed before the drill's. (CLIENT PAUSE WRITE on the master keeps it
     * lossless without a proxy-side hold.)
     */
    private String plannedFailover() {
        plannedReport = CompletableFuture.supplyAsync(() -> {
            try {
                return new PlannedFailover(plan.first(), Optional.empty(), Optional.empty()).run(Optional.empty()).render();
            } catch (FailoverRefused | FailoverFailed e) {
                return "planned failover: " + e.getMessage() + "\n";
            }
        });
        return "planned failover started (steers Sentinel with replica-priority, which it reads every 10 s)";
    }

    private void progress(long nanos, String what) {
        out.printf("  %-9s %s%n", "+" + DrillReport.ms(nanos), what);
        out.flush();
    }

    private static void stop(Map<DrillTarget, List<DrillWriter>> writers, Map<DrillTarget, SwitchProbe> probes) {
        writers.values().forEach(ws -> ws.forEach(w -> w.load().close()));
        probes.values().forEach(SwitchProbe::close);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
