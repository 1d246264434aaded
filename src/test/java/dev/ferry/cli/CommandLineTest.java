package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.HostPort;
import dev.ferry.demo.group.PortAllocator;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.testkit.TestConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator sees from the command line when something is wrong: one line, a non-zero exit. */
class CommandLineTest {
    @TempDir Path dir;

    private static CliRun ferry(String... args) {
        return CliRun.ferry(args);
    }

    /** A file with exactly this text: the bad configurations, whose text is the subject. */
    private Path config(String yaml) throws Exception {
        Path p = dir.resolve("ferry.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    /** Frontend "orders" on {@code port} in front of a static server nothing listens on. */
    private Path staticFrontendOn(int port) {
        return TestConfig.of(TestConfig.Frontend.named("orders").bindPort(port).servers(List.of(new HostPort("127.0.0.1", 1))))
                .writeTo(dir.resolve("ferry.yaml"));
    }

    @Test
    void versionPrintsTheName() {
        CliRun r = ferry("--version");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("ferry ");
    }

    @Test
    void aBadConfigIsOneLineNamingTheKeyAndExitCodeTwo() throws Exception {
        Path p = config("frontends:\n  - name: orders\n    bind: localhost\n    servers: [127.0.0.1:6379]\n");
        CliRun r = ferry("check", "--config", p.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("ferry: frontends[0].bind: 'localhost' is not host:port");
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void aMissingConfigFileIsNamed() {
        CliRun r = ferry("run", "--config", dir.resolve("nope.yaml").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("nope.yaml: cannot read the configuration file (no such file)");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        CliRun r = ferry("run", "--confg", "x");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("ferry: ").endsWith("Try 'ferry run --help'.\n");
    }

    @Test
    void aPortInUseIsAClearErrorAndNoStackTrace() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Path p = staticFrontendOn(taken.getLocalPort());
            CliRun r = ferry("run", "--config", p.toString());
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err().strip()).isEqualTo("ferry: frontend 'orders': cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": address already in use (another process listens there)");
        }
    }

    @Test
    void runStopsCleanlyOnSigterm() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path p = staticFrontendOn(port);
        Process ferry = startFerry(p);
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> Files.readString(dir.resolve("ferry.log")).contains("running; Ctrl-C or SIGTERM stops it"));
            ferry.destroy(); // SIGTERM
            assertThat(ferry.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).as("stopped within 10 s").isTrue();
            assertThat(Files.readString(dir.resolve("ferry.log"))).contains("stopping: closing listeners and client sessions")
                    .doesNotContain("Exception");
        } finally {
            ferry.destroyForcibly();
        }
    }

    @Test
    void aSigtermWithADrainAnswersHealth503WhileStillAcceptingClientsThenStops() throws Exception {
        int client = PortAllocator.next();
        int admin = PortAllocator.next();
        Path p = TestConfig.of(TestConfig.Frontend.named("orders").bindPort(client).servers(List.of(new HostPort("127.0.0.1", 1))))
                .admin(TestConfig.Admin.on(admin).set("drain", "2s")).writeTo(dir.resolve("ferry.yaml"));
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/health")).build();
        Process ferry = startFerry(p);
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> Files.readString(dir.resolve("ferry.log")).contains("running; Ctrl-C or SIGTERM stops it"));
            assertThat(http.send(health, HttpResponse.BodyHandlers.ofString()).body()).startsWith("no master: orders");

            ferry.destroy(); // SIGTERM
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2))
                    .until(() -> http.send(health, HttpResponse.BodyHandlers.ofString()).body().equals("draining: this instance is stopping\n"));
            try (Socket s = new Socket("127.0.0.1", client)) {
                assertThat(s.isConnected()).as("a new client connection during the drain").isTrue();
            }

            assertThat(ferry.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).as("stopped after the drain").isTrue();
            assertThat(Files.readString(dir.resolve("ferry.log"))).contains("stopping: /health answers 503 for 2000 ms")
                    .contains("stopping: closing listeners and client sessions");
        } finally {
            ferry.destroyForcibly();
        }
    }

    private Process startFerry(Path config) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "run", "--config", config.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("ferry.log").toFile()).start();
    }

    @Test
    void checkReportsUnreachableSentinelsAndExitsNonZero() throws Exception {
        int a;
        int b;
        try (ServerSocket s1 = new ServerSocket(0); ServerSocket s2 = new ServerSocket(0)) {
            a = s1.getLocalPort();
            b = s2.getLocalPort();
        }
        Path p = TestConfig.of(TestConfig.Frontend.named("orders").masterName("mymaster")
                .sentinels(List.of(new HostPort("127.0.0.1", a), new HostPort("127.0.0.1", b)))
                .checks(Duration.ofSeconds(1), Duration.ofMillis(200))).writeTo(dir.resolve("ferry.yaml"));
        CliRun r = ferry("check", "--config", p.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("sentinel 127.0.0.1:" + a).contains("unreachable: connection refused")
                .contains("master:  NONE").endsWith("PROBLEMS FOUND\n");
    }

    @Test
    @Tag("integration")
    void checkListsAReplicaFrontendsReplicasInOrOut() throws Exception {
        try (RedisGroup g = RedisGroup.start()) {
            TestConfig c = TestConfig.following(g);
            c.frontend().set("role", "replica");
            CliRun r = ferry("check", "--config", c.writeTo(dir.resolve("ferry.yaml")).toString());
            assertThat(r.exit()).as(r.out()).isZero();
            List<HostPort> nodes = g.nodeAddresses();
            assertThat(r.out()).contains("reads    " + nodes.get(0)).contains("out: the master (read-from-master: false)")
                    .contains("reads    " + nodes.get(1)).contains("reads    " + nodes.get(2)).contains("IN, lag 0 bytes, 0 ms");
        }
    }
}
