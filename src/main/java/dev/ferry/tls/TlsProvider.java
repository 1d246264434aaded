package dev.ferry.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which TLS engine Netty uses: BoringSSL through netty-tcnative when its native library loads (measured
 * faster, docs/BENCHMARKS-TLS.md), else the JDK's. {@code -Dferry.tls.provider=jdk} forces the JDK's
 * (for comparison); blocking connections always use the JDK's, they are few and not on the data path.
 */
public final class TlsProvider {
    private static final Logger log = LoggerFactory.getLogger(TlsProvider.class);
    static final String PROPERTY = "ferry.tls.provider";

    /**
     * TLS 1.2 suites with forward secrecy and AEAD only (Mozilla's "intermediate" set); TLS 1.3's are all
     * of that kind. Names as the JDK spells them; Netty maps them for OpenSSL.
     */
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private static volatile SslProvider chosen;

    private TlsProvider() {}

    /** The engine for Netty channels, chosen (and logged) once. */
    public static SslProvider forNetty() {
        SslProvider p = chosen;
        if (p == null) {
            synchronized (TlsProvider.class) {
                if (chosen == null) chosen = choose();
                p = chosen;
            }
        }
        return p;
    }

    /** "OpenSSL (BoringSSL ...)" or "JDK", for logs and the stats page. */
    public static String describe() {
        return forNetty() == SslProvider.OPENSSL ? "OpenSSL (" + OpenSsl.versionString() + ")" : "JDK";
    }

    private static SslProvider choose() {
        String wanted = System.getProperty(PROPERTY, "").trim();
        if (wanted.equalsIgnoreCase("jdk")) {
            log.info("TLS through the JDK ({}=jdk)", PROPERTY);
            return SslProvider.JDK;
        }
        if (OpenSsl.isAvailable()) {
            log.info("TLS through {}", OpenSsl.versionString());
            return SslProvider.OPENSSL;
        }
        Throwable why = OpenSsl.unavailabilityCause();
        log.info("TLS through the JDK: OpenSSL (netty-tcnative) did not load: {}", why == null ? "unknown" : why.getMessage());
        return SslProvider.JDK;
    }
}
