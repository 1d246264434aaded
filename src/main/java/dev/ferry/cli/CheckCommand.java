package dev.ferry.cli;

import dev.ferry.config.ConfigException;
import dev.ferry.config.FerryConfig;
import dev.ferry.config.FrontendConfig;
import dev.ferry.topology.NodeReport;
import dev.ferry.topology.ReplicaState;
import dev.ferry.topology.Role;
import dev.ferry.topology.SentinelReport;
import dev.ferry.topology.Topology;
import dev.ferry.topology.TopologySnapshot;
import dev.ferry.topology.Verdict;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ferry check}: validates the configuration, then asks every Sentinel and node once and reports,
 * per frontend, who answers and who is master. Exit 0 when every frontend has a master and every
 * configured Sentinel and node answers; 1 when something is wrong; 2 for a bad configuration.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate the configuration and report which Sentinels and servers answer and who is master.")
final class CheckCommand implements Callable<Integer> {
    @Mixin ConfigOption config;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        quietLogs();
        FerryConfig cfg;
        try {
            cfg = config.load();
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("ferry: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
        out.println("configuration " + cfg.source() + ": valid, " + cfg.frontends().size() + " frontend(s)");
        boolean ok = true;
        for (FrontendConfig fc : cfg.frontends()) {
            try (Topology t = new Topology(fc)) {
                ok &= report(out, fc, t.checkNow());
            }
        }
        out.println(ok ? "OK" : "PROBLEMS FOUND");
        out.flush();
        return ok ? 0 : 1;
    }

    /** The report says it all; the topology's own log lines would repeat it on stderr. */
    private static void quietLogs() {
        org.slf4j.Logger root = org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger l) l.setLevel(ch.qos.logback.classic.Level.ERROR);
    }

    private static boolean report(PrintWriter out, FrontendConfig fc, TopologySnapshot s) {
        boolean ok = true;
        out.println();
        out.println("frontend " + fc.name() + " on " + fc.bind() + (fc.staticMode() ? " (static servers)" : ", master name '" + fc.masterName() + "'"));
        for (SentinelReport r : s.sentinels()) {
            String what;
            if (r.usable()) what = "names " + r.master() + ", config epoch " + r.configEpoch() + (r.failoverInProgress() ? ", failover in progress" : "");
            else {
                what = r.reachable() ? "answers but " + r.detail() : "unreachable: " + r.detail();
                ok = false;
            }
            out.printf("  sentinel %-22s %s%n", r.sentinel(), what);
        }
        for (NodeReport n : s.nodes()) {
            String what;
            if (!n.up()) {
                what = "DOWN: " + n.detail();
                ok = false;
            } else if (n.role() == Role.REPLICA) {
                what = "replica of " + n.replicaOf() + ", link " + (n.linkUp() ? "up" : "down") + ", offset " + n.offset();
            } else {
                what = n.role().word() + (n.role() == Role.MASTER ? ", offset " + n.offset() : "");
            }
            out.printf("  node     %-22s %s%s%n", n.node(), what, n.up() ? "  (" + n.latencyMicros() + " us)" : "");
        }
        Verdict v = s.verdict();
        if (v.hasMaster()) out.println("  master:  " + v.master() + " (" + v.basis() + "): " + v.reason());
        else {
            out.println("  master:  NONE: " + v.reason());
            ok = false;
        }
        if (s.replicas().enabled()) {
            for (ReplicaState r : s.replicas().nodes()) {
                out.printf("  reads    %-22s %s%n", r.node(), r.in() ? "IN, lag " + r.lagBytes() + " bytes, " + r.lagMillis() + " ms" : "out: " + r.why());
            }
            if (s.replicas().in().isEmpty()) out.println("  warning: no replica qualifies" + (s.replicas().fallbackToMaster() ? "; reads go to the master" : ""));
        }
        for (String w : v.warnings()) out.println("  warning: " + w);
        for (String a : s.advice()) out.println("  note:    " + a);
        if (!v.warnings().isEmpty()) ok = false;
        return ok;
    }
}
