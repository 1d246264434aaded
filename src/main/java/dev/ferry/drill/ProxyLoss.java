package dev.ferry.drill;

import dev.ferry.config.Credentials;
import dev.ferry.config.HostPort;
import dev.ferry.demo.Balancer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Losing a proxy, measured: writers through the load balancer (a new connection per write, and two kept
 * connections, which round robin puts one on each instance), {@code kill -9} of one instance (or SIGTERM,
 * which Ferry answers by draining), then the wait
 * until the balancer has taken it out, it runs again and the balancer sends it new connections again; then
 * what the writers lived through: failed writes, the longest failure, acknowledged writes lost.
 */
public final class ProxyLoss {
    private static final Duration SETTLE = Duration.ofSeconds(1);
    private static final Duration AFTER = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(20);

    private final String proxies;
    private final HostPort balancer;
    private final BalancerView view;
    private final Victim victim;
    private final boolean graceful;
    private final DrillPlan group;
    private final Duration timeout;
    private final Duration interval;
    private final boolean keepKeys;
    private final PrintWriter out;
    private final DrillKeys keys = new DrillKeys();
    private long t0;
    private Instant killedAt;

    private ProxyLoss(String proxies, HostPort balancer, BalancerView view, Victim victim, boolean graceful, DrillPlan group,
                      Duration timeout, Duration interval, boolean keepKeys, PrintWriter out) {
        this.graceful = graceful;
        this.proxies = proxies;
        this.balancer = balancer;
        this.view = view;
        this.victim = victim;
        this.group = group;
        this.timeout = timeout;
        this.interval = interval;
        this.keepKeys = keepKeys;
        this.out = out;
    }

    /**
     * Kills the demo's first Ferry instance behind its load balancer; with {@code seedHaproxy}, first puts the
     * seed's two HAProxy servers in Ferry's place behind a balancer configured alike, and kills the first of
     * those. {@code graceful}: SIGTERM instead of SIGKILL (Ferry only). 0 when the balancer took the instance
     * back and no acknowledged write was lost, else 1.
     */
    public static int run(RunningDemo demo, boolean seedHaproxy, boolean graceful, Duration timeout, Duration interval, boolean keepKeys,
                          PrintWriter out) throws DrillStopped {
        DrillPlan group = DrillPlan.read(demo.configs(), null, List.of());
        if (demo.balancer() == null) throw DrillStopped.failure("the running demo has no load balancer (an older ferry demo?); restart it");
        if (!seedHaproxy) {
            return new ProxyLoss("2 Ferry instances", demo.balancer(), new BalancerView(demo.balancerStats(), demo.adminUser(), demo.adminPassword()),
                    new DemoInstanceVictim(demo.instances().get(0), demo.pid()), graceful, group, timeout, interval, keepKeys, out).drill();
        }
        Path dir = demo.dir().resolve("drill-haproxy");
        out.println("ferry drill: starting the seed's two HAProxy servers (its configuration and checks) in front of the demo's Redis"
                + " nodes, behind a load balancer configured as the demo's; configs and logs in " + dir);
        out.flush();
        try (SeedHaproxies seed = SeedHaproxies.start(dir, demo)) {
            return new ProxyLoss("the seed's 2 HAProxy servers", seed.balancerAddress(),
                    new BalancerView(seed.balancerStats(), demo.adminUser(), demo.adminPassword()),
                    new HaproxyVictim(seed.instances().get(0)), graceful, group, timeout, interval, keepKeys, out).drill();
        }
    }

    private int drill() throws DrillStopped {
        String before = view.status(victim.name());
        for (long until = System.nanoTime() + Duration.ofSeconds(5).toNanos(); before.equals("?") && System.nanoTime() - until < 0; ) {
            sleep(Duration.ofMillis(200)); // the balancer's stats page is its own listener: give it a moment
            before = view.status(victim.name());
        }
        if (!BalancerView.inService(before)) {
            throw DrillStopped.failure("the load balancer does not send " + victim.name() + " connections now (" + before + "); retry once it does");
        }
        Credentials auth = group.redisAuth();
        String prefix = keys.prefix() + ":proxy-loss";
        out.println("ferry drill: " + (graceful ? "SIGTERM to " : "kill -9 of ") + victim.name() + ", one of " + proxies + " behind the load balancer " + balancer
                + " (each checked on /health every " + Balancer.CHECK_INTERVAL.toMillis() + " ms, out after " + Balancer.FALL
                + " failures, back after " + Balancer.RISE + " successes)");
        out.println("  writers through the load balancer, every " + interval.toMillis() + " ms: one new connection per write,"
                + " and two kept connections (round robin puts one on each instance); keys " + prefix + ":*");
        out.flush();
        Map<String, WriteLoad> writers = new LinkedHashMap<>();
        HostPort master = null;
        try {
            for (String kept : List.of("kept 1", "kept 2")) {
                WriteLoad w = WriteLoad.start(balancer, auth, interval, true, prefix + ":" + kept.replace(' ', '-'));
                writers.put(kept, w);
                awaitFirstAck(w, kept);
            }
            writers.put("new conn", WriteLoad.start(balancer, auth, interval, false, prefix + ":fresh"));
            sleep(SETTLE);
            for (Map.Entry<String, WriteLoad> e : writers.entrySet()) {
                if (e.getValue().acked().isEmpty() || e.getValue().failed() > 0) {
                    throw DrillStopped.failure("writes through the load balancer fail before anything was killed (" + e.getKey() + ": "
                            + e.getValue().failures() + ")");
                }
            }
            t0 = System.nanoTime();
            killedAt = Instant.now();
            progress(0, graceful ? victim.stop() : victim.kill());
            boolean back = awaitBack();
            if (back) {
                progress(System.nanoTime() - t0, "writing " + AFTER.toSeconds() + " s more");
                sleep(AFTER);
            }
            writers.values().forEach(WriteLoad::close);
            master = new DrillGroup(group).agreedMaster().orElse(null);
            return report(back, writers, master);
        } finally {
            writers.values().forEach(WriteLoad::close);
            if (!keepKeys && master != null) keys.remove(master, auth, out);
        }
    }

    /** Polls the balancer's view of the victim and the victim itself until the balancer sends it connections again. */
    private boolean awaitBack() {
        long deadline = t0 + timeout.toNanos();
        boolean out = false;
        boolean exited = false;
        boolean running = false;
        boolean healthy = false;
        while (System.nanoTime() - deadline < 0) {
            String status = view.status(victim.name());
            if (!out && !BalancerView.inService(status) && !status.equals("?")) {
                out = true;
                progress(System.nanoTime() - t0, "the load balancer takes " + victim.name() + " out (" + status + ")");
            }
            if (!exited && victim.exited()) {
                exited = true;
                progress(System.nanoTime() - t0, victim.name() + " has exited");
            }
            if (!running) {
                long pid = victim.restartedPid();
                if (pid > 0) {
                    running = true;
                    progress(System.nanoTime() - t0, victim.name() + " runs again (pid " + pid + "), started by " + victim.restartedBy());
                }
            }
            if (running && !healthy && victim.healthy()) {
                healthy = true;
                progress(System.nanoTime() - t0, victim.name() + " answers /health 200");
            }
            if (out && healthy && status.equals("UP")) {
                progress(System.nanoTime() - t0, "the load balancer sends " + victim.name() + " new connections again (UP)");
                return true;
            }
            sleep(POLL);
        }
        progress(System.nanoTime() - t0, "NOT BACK within " + timeout.toSeconds() + " s: the load balancer says " + victim.name() + " is "
                + view.status(victim.name()));
        return false;
    }

    private int report(boolean back, Map<String, WriteLoad> writers, HostPort master) {
        out.println();
        out.println("Writers through the load balancer " + balancer + " (times from the " + (graceful ? "SIGTERM" : "kill") + "):");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"writer", "acked", "failed", "failures by kind", "longest failure", "from", "lost"});
        int failed = 0;
        int acked = 0;
        int lost = 0;
        boolean counted = master != null;
        long longest = 0;
        for (Map.Entry<String, WriteLoad> e : writers.entrySet()) {
            WriteLoad w = e.getValue();
            String lostText = "?";
            if (master != null) {
                try {
                    int n = w.countLost(master);
                    lost += n;
                    lostText = Integer.toString(n);
                } catch (Exception x) {
                    counted = false;
                    lostText = "? (" + x.getMessage() + ")";
                }
            }
            failed += w.failed();
            acked += w.acked().size();
            longest = Math.max(longest, w.longestFailure().toNanos());
            Map<String, Integer> f = w.failures();
            WriteLoad.Outage o = w.longestOutage();
            rows.add(new String[] {e.getKey(), Integer.toString(w.acked().size()), Integer.toString(w.failed()),
                    f.isEmpty() ? "-" : f.entrySet().stream().map(x -> x.getKey() + " x" + x.getValue()).collect(Collectors.joining(", ")),
                    DrillReport.ms(w.longestFailure().toNanos()),
                    o.from() == null ? "-" : String.format("%+d ms", Duration.between(killedAt, o.from()).toMillis()), lostText});
        }
        DrillReport.table(out, rows);
        out.println();
        out.println("Failed writes: " + failed + ", longest failure " + DrillReport.ms(longest) + "; acknowledged writes lost: "
                + (counted ? lost + " of " + acked + (master == null ? "" : " (read back from the master " + master + ")") : "unknown (no master the Sentinels agree on)"));
        boolean pass = back && counted && lost == 0;
        out.println("Result: " + (pass ? "PASS" : "FAIL") + (back ? "" : " (" + victim.name() + " not back within " + timeout.toSeconds() + " s)")
                + String.format("  [%s: failed=%d longest_failure_ms=%d lost=%s]", proxies, failed, longest / 1_000_000, counted ? lost : "?"));
        out.flush();
        return pass ? 0 : 1;
    }

    private void awaitFirstAck(WriteLoad w, String name) throws DrillStopped {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (w.acked().isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                throw DrillStopped.failure("no write through the load balancer " + balancer + " succeeded in 5 s (" + name + ": " + w.failures() + ")");
            }
            sleep(Duration.ofMillis(10));
        }
    }

    private void progress(long nanos, String what) {
        out.printf("  %-9s %s%n", "+" + DrillReport.ms(nanos), what);
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
