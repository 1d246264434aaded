package dev.ferry.config;

/**
 * A frontend's TLS, each side on its own: toward clients on {@code bind} (with an optional plaintext
 * port beside it while clients move over), toward the Redis nodes and toward the Sentinels.
 * A null part means plaintext on that side.
 */
public record FrontendTlsConfig(TlsServerConfig clients, HostPort plaintextBind, TlsClientConfig nodes,
                                TlsClientConfig sentinels) {
    public static final FrontendTlsConfig NONE = new FrontendTlsConfig(null, null, null, null);

    public boolean towardClients() {
        return clients != null;
    }
}
