package dev.ferry.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.ferry.admin.StatsModel.FrontendView;
import dev.ferry.config.HostPort;
import dev.ferry.demo.group.PortAllocator;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.testkit.FerryHarness;
import dev.ferry.testkit.RespClient;
import dev.ferry.testkit.TestConfig;
import dev.ferry.testkit.TestGroup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Loads the stats page in Debian's headless Chromium after a Sentinel failover with client traffic.
 * {@code -Dferry.screenshot=docs/stats.png} also saves the screenshot there, with the seed's ports
 * (nodes 7001-7003, Sentinels 27001-27003, clients on 6379, admin on 1936).
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatsPageInBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final String REDIS_PASSWORD = "pw-Browser9";
    private static final String SCREENSHOT_PROPERTY = "ferry.screenshot";

    private RedisGroup group;
    private FerryHarness ferry;
    private HostPort newMaster;
    private final List<RespClient> openClients = new ArrayList<>();

    @BeforeAll
    void startAfterAFailoverWithTraffic() throws Exception {
        requireChromium();
        boolean docs = System.getProperty(SCREENSHOT_PROPERTY) != null;
        RedisGroup.Builder b = TestGroup.builder(REDIS_PASSWORD);
        group = docs ? b.basePort(7000).start() : b.start();
        TestConfig config = TestConfig.following(group).admin(TestConfig.Admin.on(docs ? 1936 : PortAllocator.next())
                .login(FerryHarness.ADMIN_USER, FerryHarness.ADMIN_PASSWORD).nodeName("ferry-1"));
        if (docs) config.frontend().bindPort(6379);
        ferry = FerryHarness.start(group, config).awaitMaster();
        HostPort oldMaster = ferry.routedMaster();

        for (int i = 0; i < 40; i++) client("SET", "order:" + i, "x".repeat(200 * i)).close();
        for (int i = 0; i < 3; i++) openClients.add(client("GET", "order:" + i));
        group.sentinelFailover();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            FrontendView f = ferry.admin().model().frontends().get(0);
            return f.hasMaster() && !f.master().equals(oldMaster) && f.warnings().isEmpty()
                    && f.nodes().stream().filter(n -> n.up()).count() == 3 && f.sentinelsAnswering() == 3;
        });
        newMaster = ferry.routedMaster();
        for (int i = 0; i < 25; i++) client("GET", "order:" + i).close();
        for (int i = 0; i < 2; i++) openClients.add(client("GET", "order:" + (10 + i)));
        Thread.sleep(2000); // so the "for" column reads seconds, not zero
    }

    @AfterAll
    void stop() {
        openClients.forEach(RespClient::close);
        if (ferry != null) ferry.close();
        if (group != null) group.close();
    }

    @Test
    void chromiumShowsTheNewMasterOnTheStatsPage() throws Exception {
        String dom = chromium("--dump-dom", url());

        assertThat(dom).contains("<div class=\"banner ok\">", "data-status=\"master\">master " + newMaster + "</div>");
        assertThat(dom).contains("Sentinels answer", "Last master switches");
    }

    @Test
    void chromiumRendersTheStatsPageToAScreenshot() throws Exception {
        Path png = Path.of("target", "stats-page.png").toAbsolutePath();
        Files.deleteIfExists(png);

        chromium("--screenshot=" + png, "--window-size=1280,900", url());

        assertThat(png).exists();
        byte[] head = Arrays.copyOf(Files.readAllBytes(png), 8);
        assertThat(head).startsWith(0x89, 'P', 'N', 'G');
        assertThat(Files.size(png)).isGreaterThan(20_000);
        String target = System.getProperty(SCREENSHOT_PROPERTY);
        if (target != null) Files.copy(png, Path.of(target), StandardCopyOption.REPLACE_EXISTING);
    }

    private String url() {
        return "http://" + FerryHarness.ADMIN_USER + ":" + FerryHarness.ADMIN_PASSWORD + "@" + ferry.adminAddress() + "/stats";
    }

    /** A client connection through Ferry that has authenticated and run one command. */
    private RespClient client(String... command) throws IOException {
        RespClient c = RespClient.open(ferry.address(), String.join(" ", command));
        c.call("AUTH", REDIS_PASSWORD);
        c.call(command);
        return c;
    }

    private static void requireChromium() {
        if (Files.isExecutable(CHROMIUM)) return;
        if ("1".equals(System.getenv("FERRY_SKIP_BROWSER"))) Assumptions.abort("FERRY_SKIP_BROWSER=1 and no " + CHROMIUM);
        fail(CHROMIUM + " is missing: install it with `sudo scripts/install-deps.sh --with-chromium`, "
                + "or set FERRY_SKIP_BROWSER=1 to skip the browser tests");
    }

    /** Runs headless Chromium with a throwaway profile and returns its stdout. */
    private static String chromium(String... args) throws Exception {
        Path profile = Files.createTempDirectory("ferry-chromium-");
        Path log = Path.of("target", "chromium.log").toAbsolutePath();
        try {
            List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile));
            cmd.addAll(List.of(args));
            Path out = profile.resolve("stdout");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(log.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("chromium did not finish within 60 s; see " + log);
            }
            assertThat(p.exitValue()).as("chromium exit status; see " + log).isZero();
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
