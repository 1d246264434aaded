package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.config.ConfigLoader;
import dev.ferry.config.FerryConfig;
import dev.ferry.config.HostPort;
import dev.ferry.demo.Demo;
import dev.ferry.demo.DemoPorts;
import dev.ferry.demo.group.FerryProcess;
import dev.ferry.demo.group.RedisProcess;
import dev.ferry.resp.RedisLink;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry demo} and {@code ferry drill}: the seed's system on one machine, and its failover test. */
class DemoCommandTest {
    /** Sentinel down-after for tests; the demo's 5000 ms default is for people watching. */
    static final long DOWN_AFTER_MILLIS = 2000;

    @TempDir Path tmp;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final StringWriter events = new StringWriter();

    private static CliRun ferry(String... args) {
        return CliRun.ferry(args);
    }

    /** A base whose every port is free now, away from the default 11300 so that a running demo is left alone. */
    static DemoPorts freePorts() {
        for (int attempt = 0; attempt < 50; attempt++) {
            DemoPorts p = new DemoPorts(ThreadLocalRandom.current().nextInt(12000, 12700));
            if (p.firstTaken().isEmpty()) return p;
        }
        throw new IllegalStateException("no free demo port range found");
    }

    private Demo startDemo() throws Exception {
        return startDemo(Files.createDirectory(tmp.resolve("demo")));
    }

    private Demo startDemo(Path dir) throws Exception {
        return startDemo(dir, DOWN_AFTER_MILLIS);
    }

    private Demo startDemo(Path dir, long downAfterMillis) throws Exception {
        return Demo.start(freePorts(), dir, downAfterMillis, new PrintWriter(events, true), FerryProcess.commandOf(Main.class));
    }

    /** {@code CONFIG GET port} through {@code proxy}: which node a new connection reaches. */
    private static int portBehind(Demo demo, HostPort proxy) throws Exception {
        try (RedisLink l = RedisLink.open(proxy, demo.group().credentials(), Duration.ofSeconds(5), null)) {
            return Integer.parseInt(String.valueOf(((List<?>) l.call("CONFIG", "GET", "port")).get(1)));
        }
    }

    /** The first word of {@code ROLE} through {@code proxy}, as the seed's test reads it. */
    private static String role(Demo demo, HostPort proxy) throws Exception {
        try (RedisLink l = RedisLink.open(proxy, demo.group().credentials(), Duration.ofSeconds(5), null)) {
            return String.valueOf(((List<?>) l.call("ROLE")).get(0));
        }
    }

    /** Checks that change nothing, on one demo. */
    @Nested
    @Tag("integration")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OneRunningDemo {
        private Demo demo;

        @BeforeAll
        void start() throws Exception {
            demo = startDemo(Files.createTempDirectory("ferry-demo-test-"));
        }

        @AfterAll
        void stop() {
            if (demo != null) demo.close();
        }

        @Test
        void theDemoStartsTwoInstancesThatRouteToTheMasterAndAnswerHealth() throws Exception {
            HostPort master = demo.group().sentinelMaster();
            assertThat(demo.instances()).hasSize(2);
            for (Demo.Instance in : demo.instances()) {
                assertThat(in.process().alive()).as(in.name() + " runs as its own process").isTrue();
                assertThat(in.process().pid()).isNotEqualTo(ProcessHandle.current().pid());
                assertThat(portBehind(demo, in.client())).isEqualTo(master.port());
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://" + in.admin() + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
                assertThat(health.body()).isEqualTo("ok: redis master " + master + "\n");
                FerryConfig cfg = new ConfigLoader().load(in.config());
                assertThat(cfg.frontends().get(0).bind()).isEqualTo(in.client());
            }
            assertThat(demo.dir().resolve("demo.json")).content().contains("\"password\": \"" + demo.password() + "\"");
            StringWriter table = new StringWriter();
            demo.printTable(new PrintWriter(table));
            assertThat(table.toString()).contains("redis-cli -p " + demo.instances().get(0).client().port() + " -a " + demo.password())
                    .contains("http://" + demo.instances().get(1).admin() + "/stats").contains("./ferry drill --demo");
        }

        @Test
        void theLoadBalancerIsPrintedFirstAndSendsConnectionsThroughBothInstancesToTheMaster() throws Exception {
            HostPort master = demo.group().sentinelMaster();
            StringWriter table = new StringWriter();
            demo.printTable(new PrintWriter(table));
            String firstLine = table.toString().lines().filter(l -> !l.isBlank()).findFirst().orElseThrow();
            assertThat(firstLine).as("the application's address comes first")
                    .endsWith("redis-cli -p " + demo.balancerAddress().port() + " -a " + demo.password());

            assertThat(role(demo, demo.balancerAddress())).isEqualTo("master");
            assertThat(portBehind(demo, demo.balancerAddress())).isEqualTo(master.port());
            // Round robin: consecutive connections go through both instances, each counting its sessions.
            for (int i = 0; i < 4; i++) portBehind(demo, demo.balancerAddress());
            for (Demo.Instance in : demo.instances()) {
                HttpResponse<String> stats = http.send(HttpRequest.newBuilder(URI.create("http://" + in.admin() + "/stats.json"))
                        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + demo.adminPassword()).getBytes()))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(stats.body()).as(in.name()).containsPattern("\"sessions_total\":[1-9]");
            }
        }
    }

    /** Each drill leaves both instances in service again (it passes only then), so they share one demo. */
    @Nested
    @Tag("integration")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class LosingAProxy {
        private Demo demo;

        @BeforeAll
        void start() throws Exception {
            demo = startDemo(Files.createTempDirectory("ferry-demo-test-"));
        }

        @AfterAll
        void stop() {
            if (demo != null) demo.close();
        }

        @Test
        void killingAFerryInstanceBehindTheLoadBalancerLosesNoAcknowledgedWriteAndTheInstanceComesBack() throws Exception {
            Demo.Instance victim = demo.instances().get(0);
            long pidBefore = victim.process().pid();

            CliRun r = ferry("drill", "--demo", "--demo-folder", demo.dir().toString(), "--kill-proxy");

            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("killed ferry-1 (pid " + pidBefore + ", SIGKILL)")
                    .contains("the load balancer takes ferry-1 out").contains("ferry-1 runs again")
                    .contains("the load balancer sends ferry-1 new connections again (UP)")
                    .containsPattern("acknowledged writes lost: 0 of \\d+").contains("Result: PASS");
            assertThat(victim.process().pid()).as("started again by the demo").isNotEqualTo(pidBefore);
            assertThat(victim.process().healthy()).isTrue();
            assertThat(events.toString()).contains("ferry-1 exited with code 137 (SIGKILL)").contains("ferry-1 started again");
        }

        @Test
        void aStoppedInstanceLeavesTheLoadBalancerBeforeItClosesSoNoNewConnectionFails() throws Exception {
            CliRun r = ferry("drill", "--demo", "--demo-folder", demo.dir().toString(), "--stop-proxy");

            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            String out = r.out();
            assertThat(out.indexOf("the load balancer takes ferry-1 out")).as(out).isPositive()
                    .isLessThan(out.indexOf("ferry-1 has exited"));
            assertThat(out).as("no write on a new connection failed").containsPattern("\n  new conn +\\d+ +0 ");
            assertThat(out).containsPattern("acknowledged writes lost: 0 of \\d+");
        }

        @Test
        void theSameDrillWithTheSeedsHaproxyServersInFerrysPlaceReportsItsFigures() throws Exception {
            CliRun r = ferry("drill", "--demo", "--demo-folder", demo.dir().toString(), "--kill-proxy", "--haproxy");

            assertThat(r.out()).as(r.err()).contains("killed haproxy1").contains("the load balancer takes haproxy1 out")
                    .containsPattern("\\[the seed's 2 HAProxy servers: failed=\\d+ longest_failure_ms=\\d+ lost=0]");
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            assertThat(demo.dir().resolve("drill-haproxy/haproxy1.cfg")).content().contains("tcp-check expect string role:master");
        }
    }

    @Test
    @Tag("integration")
    void theSeedsTestsPassThroughEitherInstanceAndTheLoadBalancerAcrossFailoverTo() throws Exception {
        try (Demo demo = startDemo()) {
            HostPort master = demo.group().sentinelMaster();
            HostPort target = demo.group().nodeAddresses().stream().filter(n -> !n.equals(master)).findFirst().orElseThrow();
            assertThat(role(demo, demo.instances().get(0).client())).isEqualTo("master");
            assertThat(role(demo, demo.balancerAddress())).isEqualTo("master");

            demo.group().failoverTo(target);

            await().atMost(Duration.ofSeconds(10)).until(() -> portBehind(demo, demo.balancerAddress()) == target.port());
            assertThat(role(demo, demo.instances().get(1).client())).isEqualTo("master");
            assertThat(portBehind(demo, demo.instances().get(1).client())).isEqualTo(target.port());
            assertThat(role(demo, demo.balancerAddress())).isEqualTo("master");
        }
    }

    @Test
    @Tag("integration")
    void closingTheDemoLeavesNoRedisHaproxyOrFerryProcessNoListenerAndNoFolder() throws Exception {
        Demo demo = startDemo();
        DemoPorts ports = demo.ports();
        List<Long> pids = Stream.of(Stream.concat(demo.group().nodes().stream(), demo.group().sentinels().stream()).map(RedisProcess::pid),
                Stream.of(demo.balancer().pid()), demo.instances().stream().map(in -> in.process().pid())).flatMap(s -> s).toList();
        assertThat(pids).hasSize(9).allMatch(pid -> ProcessHandle.of(pid).isPresent());

        demo.close();

        assertThat(pids).allMatch(pid -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        assertThat(demo.dir()).doesNotExist();
        assertThat(ports.firstTaken()).isEmpty();
    }

    @Test
    @Timeout(30)
    void aPortInUseIsOneLineAndExitOneBeforeAnythingStarts() throws Exception {
        DemoPorts ports = freePorts();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), ports.client(0)));
            CliRun r = ferry("demo", "--base-port", Integer.toString(ports.base()));
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("ferry demo: port " + ports.client(0) + " (ferry-1 clients) is in use on 127.0.0.1;"
                    + " move every port with --base-port N (now " + ports.base() + ")\n");
            assertThat(r.out()).isEmpty();
        }
        for (int port : ports.redis()) {
            try (ServerSocket free = new ServerSocket()) {
                free.bind(new InetSocketAddress("127.0.0.1", port));
            }
        }
    }

    @Test
    @Tag("integration")
    void theDrillThroughBothInstancesOfTheDemoLosesNoWriteAndExitsZero() throws Exception {
        try (Demo demo = startDemo()) {
            HostPort before = demo.group().sentinelMaster();
            List<String> args = Stream.concat(Stream.of("drill"),
                    demo.instances().stream().flatMap(in -> Stream.of("--config", in.config().toString()))).toList();

            CliRun r = ferry(args.toArray(String[]::new));

            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("Writes to a demoted master: none").contains("Result: PASS")
                    .containsPattern("ferry-1 +127\\.0\\.0\\.1:\\d+ .*\\+\\d+ ms").containsPattern("ferry-2 persistent +\\d+ .* 0\n");
            HostPort after = demo.group().awaitSentinelsAgree(Duration.ofSeconds(10));
            assertThat(after).isNotEqualTo(before);
            assertThat(r.out()).contains("Every acknowledged write on the new master " + after + ": yes");
            try (RedisLink l = RedisLink.open(after, demo.group().credentials(), Duration.ofSeconds(2), null)) {
                assertThat(l.call("DBSIZE")).as("the drill removes its keys").isEqualTo(0L);
            }
        }
    }

    @Test
    void killingAProxyNeedsTheDemosLoadBalancer() {
        CliRun r = ferry("drill", "--config", "ferry.yaml", "--kill-proxy");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--kill-proxy needs --demo");
    }

    @Test
    void haproxyGoesWithKillProxy() {
        CliRun r = ferry("drill", "--demo", "--haproxy");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--haproxy goes with --kill-proxy");
    }

    @Test
    @Tag("integration")
    void rightAfterAFailoverToTheDrillWaitsForTheSentinelsToAgreeSayingWhyAndThenDrills() throws Exception {
        // The drill starts once the old master answers as a replica (FAILOVER TO is done), and the Sentinels
        // catch up only after down-after: long enough here that the drill, a new JVM, starts inside the window.
        try (Demo demo = startDemo(Files.createDirectory(tmp.resolve("demo")), 12_000)) {
            HostPort master = demo.group().sentinelMaster();
            HostPort target = demo.group().nodeAddresses().stream().filter(n -> !n.equals(master)).findFirst().orElseThrow();
            demo.group().failoverTo(target);
            await().atMost(Duration.ofSeconds(5)).until(() -> "slave".equals(demo.group().role(master)));

            CliRun r = ferry("drill", "--demo", "--demo-folder", demo.dir().toString());

            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("waiting up to 60 s for the Sentinels to agree")
                    .contains("the Sentinels name " + master + ", which answers ROLE slave")
                    .containsPattern("\\+\\d+ s +the Sentinels agree: master 127\\.0\\.0\\.1:\\d+; drilling").contains("Result: PASS");
        }
    }

    @Test
    @Tag("integration")
    void withNoWaitTheDrillRefusesRightAfterAFailoverToNamingWhy() throws Exception {
        try (Demo demo = startDemo()) {
            HostPort master = demo.group().sentinelMaster();
            HostPort target = demo.group().nodeAddresses().stream().filter(n -> !n.equals(master)).findFirst().orElseThrow();
            demo.group().failoverTo(target);
            await().atMost(Duration.ofSeconds(5)).until(() -> "slave".equals(demo.group().role(master)));

            CliRun r = ferry("drill", "--demo", "--demo-folder", demo.dir().toString(), "--wait-for-sentinels", "0");

            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("the Sentinels name " + master + ", which answers ROLE slave")
                    .contains("wait longer with --wait-for-sentinels SECONDS");
        }
    }

    @Test
    void aPlannedDrillCannotAlsoCrashTheMaster() {
        CliRun r = ferry("drill", "--demo", "--planned", "--crash");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--planned and --crash exclude each other");
    }

    @Test
    void theExampleConfigurationShippedInThePackageIsValid() throws Exception {
        FerryConfig cfg = new ConfigLoader(Map.of("REDIS_PASSWORD", "r", "FERRY_ADMIN_PASSWORD", "a")::get)
                .load(Path.of("deploy/ferry.example.yaml"));
        assertThat(cfg.frontends()).isNotEmpty();
        assertThat(cfg.admin()).isPresent();
    }
}
