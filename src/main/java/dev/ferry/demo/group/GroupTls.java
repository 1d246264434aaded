package dev.ferry.demo.group;

import dev.ferry.config.ConfigLoader;
import dev.ferry.config.TlsClientConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * TLS for a whole group: every node and Sentinel listens on TLS only ({@code port 0}), replicates and
 * talks to the other Sentinels over TLS, and requires client certificates signed by {@code ca}.
 * {@code cert} (naming 127.0.0.1) serves as server and client certificate alike.
 */
public record GroupTls(Path ca, Path cert, Path key) {

    /** The redis.conf / sentinel.conf lines, besides {@code port 0} and {@code tls-port}. */
    List<String> configLines() {
        return List.of(
                "tls-cert-file " + RedisProcess.quote(cert.toString()),
                "tls-key-file " + RedisProcess.quote(key.toString()),
                "tls-ca-cert-file " + RedisProcess.quote(ca.toString()),
                "tls-auth-clients yes",
                "tls-replication yes");
    }

    /** How a client of the group connects: trusting {@code ca}, showing {@code cert}, checking the name. */
    public TlsClientConfig client() {
        return new TlsClientConfig(ca, cert, key, null, true, null, ConfigLoader.DEFAULT_TLS_PROTOCOLS);
    }
}
