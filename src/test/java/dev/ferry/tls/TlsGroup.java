package dev.ferry.tls;

import dev.ferry.Ferry;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.HostPort;
import dev.ferry.resp.Connector;
import dev.ferry.demo.group.GroupTls;
import dev.ferry.demo.group.RedisGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;

/**
 * A Redis group on TLS only (nodes, replication, Sentinels; client certificates required) and a Ferry
 * in front of it with TLS on both sides, all certificates from one test CA. For the TLS tests.
 */
final class TlsGroup implements AutoCloseable {
    static final String PASSWORD = "pw-tls";
    final Path dir;
    final TestCa ca;
    final TestCa.Issued nodes;
    final TestCa.Issued ferryCert;
    final TestCa.Issued client;
    final RedisGroup group;
    Ferry ferry;

    TlsGroup() throws Exception {
        dir = Files.createTempDirectory("ferry-tls-");
        ca = TestCa.create(dir, "test");
        nodes = ca.issue("redis");
        ferryCert = ca.issue("ferry");
        client = ca.issue("client");
        group = RedisGroup.builder().password(PASSWORD).downAfterMillis(2000).failoverTimeoutMillis(10000)
                .tls(new GroupTls(ca.caFile(), nodes.cert(), nodes.key())).start();
    }

    /** Ferry's YAML: frontend "orders" on TLS (plus a plaintext port), node-tls and sentinel-tls from the test CA. */
    String yaml(String... extra) {
        return "frontends:\n" + frontend("orders", false, extra);
    }

    /** One frontend's YAML block, as {@link #yaml} describes, requiring client certificates from the test CA if told; {@code extra} adds lines. */
    String frontend(String name, boolean clientCertificates, String... extra) {
        StringBuilder y = new StringBuilder("  - name: " + name + "\n    bind: 127.0.0.1:0\n    plaintext-bind: 127.0.0.1:0\n");
        y.append("    master: ").append(group.masterName()).append('\n');
        y.append("    sentinels: [").append(group.sentinelAddresses().stream().map(HostPort::toString).collect(Collectors.joining(", "))).append("]\n");
        y.append("    password: ").append(PASSWORD).append('\n');
        y.append("    check: { interval: 500ms, timeout: 500ms }\n");
        y.append("    tls: { cert: ").append(ferryCert.cert()).append(", key: ").append(ferryCert.key())
                .append(clientCertificates ? ", client-ca: " + ca.caFile() : "").append(" }\n");
        String upstream = "{ ca: " + ca.caFile() + ", cert: " + client.cert() + ", key: " + client.key() + " }";
        y.append("    node-tls: ").append(upstream).append('\n');
        y.append("    sentinel-tls: ").append(upstream).append('\n');
        for (String e : extra) y.append("    ").append(e).append('\n');
        return y.toString();
    }

    Ferry startFerry(String... extra) throws Exception {
        return startFerryWith(yaml(extra));
    }

    Ferry startFerryWith(String yaml) throws Exception {
        ferry = Ferry.start(new ConfigLoader().parse(dir.resolve("ferry.yaml"), yaml));
        return ferry;
    }

    HostPort tlsAddress() {
        return ferry.frontends().get(0).server().boundAddress();
    }

    HostPort plaintextAddress() {
        return ferry.frontends().get(0).server().plaintextAddress();
    }

    HostPort routedMaster() {
        return ferry.frontends().get(0).topology().snapshot().verdict().master();
    }

    /** How a test client connects over TLS, to Ferry or straight to a node: the CA, a client certificate, the password. */
    Connector clientConnector(Duration timeout) {
        return new Connector(group.credentials(), group.tls().client(), timeout);
    }

    /** The group's client TLS with the test's own client certificate (for tools such as redis-cli). */
    String[] redisCli(HostPort at, String... command) {
        String[] head = {"redis-cli", "--tls", "--cacert", ca.caFile().toString(), "--cert", client.cert().toString(),
                "--key", client.key().toString(), "-h", at.host(), "-p", Integer.toString(at.port()), "-a", PASSWORD, "--no-auth-warning"};
        String[] all = new String[head.length + command.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(command, 0, all, head.length, command.length);
        return all;
    }

    @Override
    public void close() {
        if (ferry != null) ferry.close();
        group.close();
    }
}
