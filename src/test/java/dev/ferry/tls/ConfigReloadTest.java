package dev.ferry.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.Reloader;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.Credentials;
import dev.ferry.config.HostPort;
import dev.ferry.resp.Connector;
import dev.ferry.resp.RedisLink;
import dev.ferry.demo.group.RedisProcess;
import dev.ferry.drill.WriteLoad;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A running Ferry (TLS on both sides) takes a new configuration without a restart: a frontend added, a
 * password rotated on the nodes and in the file, its certificate replaced on disk, all while a writer
 * keeps one connection; a frontend removed drains; a file that does not validate changes nothing.
 */
@Tag("integration")
class ConfigReloadTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    TlsGroup t;
    Path file;
    Reloader running;

    @BeforeEach
    void start() throws Exception {
        t = new TlsGroup();
        Files.copy(t.ferryCert.cert(), t.dir.resolve("ferry.crt"));
        Files.copy(t.ferryCert.key(), t.dir.resolve("ferry.key"));
        file = t.dir.resolve("ferry.yaml");
        write(frontends(TlsGroup.PASSWORD, false));
        running = Reloader.start(file, new ConfigLoader(), new ConfigLoader().load(file));
        await().atMost(WAIT).until(() -> running.ferry().frontends().get(0).topology().snapshot().verdict().hasMaster());
    }

    @AfterEach
    void stop() {
        if (running != null) running.close();
        if (t != null) t.close();
    }

    /** "orders" with the given password and the certificate at ferry.crt/ferry.key; "billing" too when asked. */
    private String frontends(String password, boolean billing) {
        String orders = t.frontend("orders", false).replace("password: " + TlsGroup.PASSWORD, "password: " + password)
                .replace("cert: " + t.ferryCert.cert() + ", key: " + t.ferryCert.key(), "cert: ferry.crt, key: ferry.key");
        String second = billing ? orders.replace("name: orders", "name: billing") : "";
        return "frontends:\n" + orders + second;
    }

    private void write(String yaml) throws Exception {
        Files.writeString(t.dir.resolve("ferry.yaml.new"), yaml);
        Files.move(t.dir.resolve("ferry.yaml.new"), file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private HostPort address(String frontend) {
        return running.ferry().frontend(frontend).orElseThrow().server().boundAddress();
    }

    private Connector client(String password) {
        return new Connector(new Credentials(null, password), t.group.tls().client(), Duration.ofSeconds(3));
    }

    /**
     * Rotation as Redis's ACLs allow it without a gap: the new password beside the old one on every node
     * (replication and Sentinels switched to it), then Ferry reloaded, then the old one removed.
     */
    private void addPassword(String next) throws Exception {
        for (HostPort n : t.group.nodeAddresses()) {
            try (RedisLink l = client(TlsGroup.PASSWORD).open(n, null)) {
                assertThat(l.call("ACL", "SETUSER", "default", ">" + next)).isEqualTo("OK");
                assertThat(l.call("CONFIG", "SET", "masterauth", next)).isEqualTo("OK");
            }
        }
        for (RedisProcess s : t.group.sentinels()) {
            assertThat(s.call("SENTINEL", "SET", t.group.masterName(), "auth-pass", next)).isEqualTo("OK");
        }
    }

    private void removeOldPassword(String next) throws Exception {
        for (HostPort n : t.group.nodeAddresses()) {
            try (RedisLink l = client(next).open(n, null)) {
                assertThat(l.call("ACL", "SETUSER", "default", "<" + TlsGroup.PASSWORD)).isEqualTo("OK");
            }
        }
    }

    @Test
    void aFrontendAddedAPasswordRotatedAndACertificateReplacedCostAKeptConnectionNothing() throws Exception {
        String next = "pw-rotated";
        try (WriteLoad kept = WriteLoad.start(address("orders"), client(TlsGroup.PASSWORD), Duration.ofMillis(10), true, "reload:kept")) {
            Thread.sleep(500);
            TestCa.Issued renewed = t.ca.issue("ferry-renewed");
            Files.copy(renewed.key(), t.dir.resolve("ferry.key"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(renewed.cert(), t.dir.resolve("ferry.crt"), StandardCopyOption.REPLACE_EXISTING);
            addPassword(next);
            write(frontends(next, true));
            Reloader.Outcome o = running.reload("test");
            assertThat(o.applied()).as(o.summary()).isTrue();
            assertThat(o.summary()).contains("added [billing]").contains("changed orders (password)");
            await().atMost(WAIT).until(() -> running.ferry().frontend("billing").orElseThrow().topology().snapshot().verdict().hasMaster());
            try (RedisLink billing = client(next).open(address("billing"), null)) {
                assertThat(billing.call("SET", "reload:billing", "1")).isEqualTo("OK");
            }
            await().atMost(WAIT).until(() -> running.ferry().certificates().reloads.sum() >= 1);
            removeOldPassword(next);
            Thread.sleep(1500);
            kept.close();
            System.out.println("reload under a kept TLS connection: " + kept + ", connections=" + kept.connections());
            assertThat(kept.acked()).hasSizeGreaterThan(20);
            assertThat(kept.failed()).as("failed writes on the kept connection").isZero();
            assertThat(kept.connections()).as("the kept connection was never closed").isEqualTo(1);
            assertThat(running.ferry().frontend("orders").orElseThrow().topology().snapshot().verdict().hasMaster())
                    .as("the checks use the new password").isTrue();
            assertThat(running.ferry().reloads.sum()).isEqualTo(1);
        }
    }

    @Test
    void aFileThatDoesNotValidateIsRefusedWholeWithTheMessageGivenAtStart() throws Exception {
        write(frontends(TlsGroup.PASSWORD, true).replace("    fence", "    fense") + "    mastr: x\n");
        Reloader.Outcome o = running.reload("test");
        assertThat(o.applied()).isFalse();
        assertThat(o.summary()).contains("refused, the running configuration stays: frontends[1].mastr: unknown key");
        assertThat(running.ferry().frontend("billing")).as("nothing of the refused file was applied").isEmpty();
        assertThat(running.ferry().reloadsRefused.sum()).isEqualTo(1);
    }

    @Test
    void aRemovedFrontendRefusesNewClientsWhileItsSessionsFinish() throws Exception {
        write(frontends(TlsGroup.PASSWORD, true));
        assertThat(running.reload("test").applied()).isTrue();
        await().atMost(WAIT).until(() -> running.ferry().frontend("billing").orElseThrow().topology().snapshot().verdict().hasMaster());
        HostPort billing = address("billing");
        try (RedisLink session = client(TlsGroup.PASSWORD).open(billing, null)) {
            write(frontends(TlsGroup.PASSWORD, false));
            assertThat(running.reload("test").summary()).contains("removed [billing]");
            assertThatThrownBy(() -> client(TlsGroup.PASSWORD).open(billing, null)).isInstanceOf(ConnectException.class);
            assertThat(session.call("SET", "reload:draining", "1")).as("a session of the removed frontend goes on").isEqualTo("OK");
            assertThat(running.ferry().draining()).hasSize(1);
        }
        await().atMost(WAIT).until(() -> running.ferry().draining().isEmpty());
    }

    @Test
    void aReloadThatChangesHowNodesAreReachedClosesTheOldConnectionsOnceTheirLastSessionLeaves() throws Exception {
        HostPort master = running.ferry().frontends().get(0).topology().snapshot().verdict().master();
        try (RedisLink admin = client(TlsGroup.PASSWORD).open(master, null)) {
            long self = (Long) admin.call("CLIENT", "ID");
            try (RedisLink first = client(TlsGroup.PASSWORD).open(address("orders"), null)) {
                assertThat(first.call("SET", "reload:upstream", "1")).isEqualTo("OK");  // its AUTH proves the login
            }
            RedisLink kept = client(TlsGroup.PASSWORD).open(address("orders"), null);
            assertThat(kept.call("GET", "reload:upstream")).isEqualTo("1");
            long before = steadyDataPathConnections(admin, self);
            assertThat(before).as("the shared connection and spares of the sessions so far").isPositive();

            write(frontends(TlsGroup.PASSWORD, false).replace("    check: {", "    wait-for-master: 4s\n    check: {"));
            Reloader.Outcome o = running.reload("test");
            assertThat(o.summary()).contains("changed orders (wait-for-master)");
            try (RedisLink next = client(TlsGroup.PASSWORD).open(address("orders"), null)) {
                assertThat(next.call("GET", "reload:upstream")).isEqualTo("1");
                assertThat(kept.call("GET", "reload:upstream")).as("a session of the old settings goes on").isEqualTo("1");
                long both = steadyDataPathConnections(admin, self);
                assertThat(both).as("new sessions have connections of their own").isGreaterThan(before);
                kept.close();
                await().atMost(WAIT).untilAsserted(() -> assertThat(dataPathConnections(admin, self))
                        .as("the old settings' connections close with their last session").isEqualTo(both - before));
                assertThat(next.call("GET", "reload:upstream")).isEqualTo("1");
            }
        }
    }

    /** Unnamed normal clients on the node other than the test's own: Ferry's shared and spare connections. */
    private static long dataPathConnections(RedisLink admin, long self) throws Exception {
        return ((String) admin.call("CLIENT", "LIST", "TYPE", "normal")).lines()
                .filter(l -> l.contains(" name= ") && !l.startsWith("id=" + self + " ")).count();
    }

    /** The fewest of a few counts: a check's connection is unnamed for the moment before its CLIENT SETNAME. */
    private static long steadyDataPathConnections(RedisLink admin, long self) throws Exception {
        long fewest = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            fewest = Math.min(fewest, dataPathConnections(admin, self));
            Thread.sleep(100);
        }
        return fewest;
    }

    @Test
    void sighupReloads() throws Exception {
        running.reloadOnSighup();
        write(frontends(TlsGroup.PASSWORD, true));
        Process kill = new ProcessBuilder("/bin/kill", "-HUP", Long.toString(ProcessHandle.current().pid())).start();
        assertThat(kill.waitFor()).isZero();
        await().atMost(WAIT).until(() -> running.ferry().reloads.sum() == 1);
        assertThat(running.ferry().frontend("billing")).isPresent();
    }
}
