package dev.ferry.config;

import java.nio.file.Path;
import java.util.List;

/**
 * TLS on a listener (a frontend's client port, the admin port): the certificate Ferry shows and,
 * with {@code clientCa}, the client certificates it requires (mTLS).
 *
 * @param keyPassword for an encrypted key (PKCS#8); null when the key is not encrypted
 * @param clientCa    null: clients need no certificate; else they must show one signed by it
 * @param protocols   TLS versions offered, e.g. {@code [TLSv1.3, TLSv1.2]}
 */
public record TlsServerConfig(Path cert, Path key, String keyPassword, Path clientCa, List<String> protocols) {
    public TlsServerConfig {
        protocols = List.copyOf(protocols);
    }

    public boolean requiresClientCertificate() {
        return clientCa != null;
    }

    /** The files whose change means a new certificate (or client CA) to load. */
    public List<Path> files() {
        return clientCa == null ? List.of(cert, key) : List.of(cert, key, clientCa);
    }

    @Override
    public String toString() {
        return "TlsServerConfig[cert=" + cert + ", key=" + key + ", key-password=" + (keyPassword == null ? "none" : "****")
                + ", client-ca=" + clientCa + ", protocols=" + protocols + "]";
    }
}
