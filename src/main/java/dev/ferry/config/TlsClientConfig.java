package dev.ferry.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * TLS from Ferry to Redis nodes or Sentinels: whom to trust, the client certificate to show (for
 * {@code tls-auth-clients yes}) and how the server's name is checked.
 *
 * @param ca             CA certificates to trust; null: the JVM's default trust store
 * @param cert           client certificate chain; null: none is shown
 * @param verifyHostname the server's certificate must name the address Ferry dialled (or {@code serverName})
 * @param serverName     the name checked and sent as SNI instead of the address, e.g. when Sentinel reports IPs
 *                       but the certificates name {@code redis.internal}; null: the address itself
 */
public record TlsClientConfig(Path ca, Path cert, Path key, String keyPassword, boolean verifyHostname,
                              String serverName, List<String> protocols) {
    public TlsClientConfig {
        protocols = List.copyOf(protocols);
    }

    /** The files whose change means new trust or a new client certificate to load. */
    public List<Path> files() {
        List<Path> files = new ArrayList<>();
        if (ca != null) files.add(ca);
        if (cert != null) files.add(cert);
        if (key != null) files.add(key);
        return files;
    }

    @Override
    public String toString() {
        return "TlsClientConfig[ca=" + ca + ", cert=" + cert + ", key=" + key + ", key-password="
                + (keyPassword == null ? "none" : "****") + ", verify-hostname=" + verifyHostname
                + ", server-name=" + serverName + ", protocols=" + protocols + "]";
    }
}
