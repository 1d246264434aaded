package dev.ferry.demo;

import dev.ferry.config.HostPort;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The table a person reads after the start: where to connect, the stats pages, how to fail over. */
final class DemoTable {
    private DemoTable() {}

    static void print(Demo demo, PrintWriter out) {
        HostPort master = demo.group().sentinelMaster();
        HostPort replica = demo.group().nodeAddresses().stream().filter(n -> !n.equals(master)).findFirst().orElseThrow();
        int sentinel = demo.ports().sentinels().get(0);
        String pw = demo.password();
        long downAfterMillis = demo.downAfterMillis();
        List<Demo.Instance> instances = demo.instances();
        List<String[]> rows = new ArrayList<>();
        HostPort lb = demo.balancerAddress();
        rows.add(new String[] {"load balancer", lb.toString(), "redis-cli -p " + lb.port() + " -a " + pw + "   (the application's address)"});
        for (Demo.Instance in : instances) {
            rows.add(new String[] {in.name(), in.client().toString(), "redis-cli -p " + in.client().port() + " -a " + pw});
        }
        rows.add(new String[] {"load balancer stats", "http://" + demo.balancerStats() + "/stats",
                "user " + Demo.ADMIN_USER + ", password " + demo.adminPassword() + "   (each instance's health check)"});
        for (Demo.Instance in : instances) {
            rows.add(new String[] {in.name() + " stats", "http://" + in.admin() + "/stats",
                    "user " + Demo.ADMIN_USER + ", password " + demo.adminPassword()});
            rows.add(new String[] {in.name() + " health", "http://" + in.admin() + "/health",
                    "curl -i http://" + in.admin() + "/health   (200 or 503, no login)"});
        }
        for (HostPort n : demo.group().nodeAddresses()) {
            rows.add(new String[] {n.equals(master) ? "redis master" : "redis replica", n.toString(),
                    "redis-cli -p " + n.port() + " -a " + pw + " ROLE"});
        }
        for (HostPort s : demo.group().sentinelAddresses()) {
            rows.add(new String[] {"sentinel", s.toString(), "redis-cli -p " + s.port() + " SENTINEL GET-MASTER-ADDR-BY-NAME " + Demo.MASTER_NAME});
        }
        int w0 = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        int w1 = rows.stream().mapToInt(r -> r[1].length()).max().orElse(0);

        out.println();
        out.println("Applications connect to the load balancer:  redis-cli -p " + lb.port() + " -a " + pw);
        out.println();
        out.println("Ferry demo: 3 redis-server (password " + pw + "), 3 Sentinels (quorum 2, down-after " + downAfterMillis
                + " ms, master name " + Demo.MASTER_NAME + "), 2 Ferry instances behind a load balancer (HAProxy in TCP mode,"
                + " checking each instance's /health every " + Balancer.CHECK_INTERVAL.toSeconds() + " s).");
        out.println();
        for (String[] r : rows) out.println("  " + pad(r[0], w0) + "  " + pad(r[1], w1) + "  " + r[2]);
        out.println();
        out.println("Fail over (the table shows the first master; the stats pages show the current one):");
        out.println("  redis-cli -p " + lb.port() + " -a " + pw + " ROLE   through the load balancer: master, before and after");
        out.println("  ./ferry drill --demo                 writes through both instances, fails over, reports what they lived through");
        out.println("  ./ferry drill --demo --crash         the same, but kill -9 the master (Sentinel acts after " + downAfterMillis + " ms)");
        out.println("  ./ferry drill --demo --kill-proxy    kill -9 ferry-1 under writers through the load balancer; the demo starts it again");
        out.println("  redis-cli -p " + master.port() + " -a " + pw + " FAILOVER TO 127.0.0.1 " + replica.port() + "   as the seed's test does");
        out.println("  redis-cli -p " + sentinel + " SENTINEL FAILOVER " + Demo.MASTER_NAME + "   Sentinel picks the new master");
        out.println();
        out.println("Folder " + demo.dir() + ": " + instances.stream().map(in -> in.config().getFileName().toString())
                .collect(Collectors.joining(", ")) + " (./ferry check --config ...), ferry-1.log, ferry-2.log (each instance's log),"
                + " balancer.cfg, balancer.log, demo.json, ferry.log (the demo's own), redis/ (node and Sentinel logs).");
        out.println("Ctrl-C stops everything and removes the folder. Switches as the instances see them:");
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }
}
