package dev.ferry.resp;

import dev.ferry.config.Credentials;
import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
import dev.ferry.config.TlsClientConfig;
import java.io.IOException;
import java.time.Duration;

/**
 * How Ferry reaches one kind of server (a frontend's nodes, or its Sentinels) over a blocking connection:
 * AUTH, TLS and the timeout, so that checks, subscriptions, fencing, failover and tools all connect alike.
 *
 * @param tls null: plaintext
 */
public record Connector(Credentials auth, TlsClientConfig tls, Duration timeout) {

    public static Connector plaintext(Credentials auth, Duration timeout) {
        return new Connector(auth, null, timeout);
    }

    /** To a frontend's Redis nodes: its password and node TLS, its check timeout. */
    public static Connector toNodes(FrontendConfig c) {
        return new Connector(c.redisAuth(), c.tls().nodes(), c.check().timeout());
    }

    /** To a frontend's Sentinels: its Sentinel password and Sentinel TLS, its check timeout. */
    public static Connector toSentinels(FrontendConfig c) {
        return new Connector(c.sentinelAuth(), c.tls().sentinels(), c.check().timeout());
    }

    /** The same TLS and timeout, no AUTH (for a caller that pipelines its own AUTH). */
    public Connector withoutAuth() {
        return new Connector(Credentials.NONE, tls, timeout);
    }

    public Connector withTimeout(Duration t) {
        return new Connector(auth, tls, t);
    }

    /** Connects (TLS when set), authenticates and names the connection; see {@link RedisLink#open(HostPort, Connector, String)}. */
    public RedisLink open(HostPort address, String clientName) throws IOException, RedisException {
        return RedisLink.open(address, this, clientName);
    }
}
