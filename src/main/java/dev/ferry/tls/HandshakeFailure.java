package dev.ferry.tls;

import java.nio.channels.ClosedChannelException;
import java.util.Locale;

/** Why a TLS handshake failed, in one line an operator can act on (JDK and BoringSSL word it differently). */
public final class HandshakeFailure {
    private HandshakeFailure() {}

    public static String describe(Throwable cause) {
        String all = chain(cause);
        String l = all.toLowerCase(Locale.ROOT);
        if (l.contains("no subject alternative") || l.contains("hostname") && l.contains("match")
                || l.contains("no name matching")) {
            return "the certificate does not name this address (" + innermost(cause) + ")";
        }
        if (l.contains("certificate_required") || l.contains("peer_did_not_return_a_certificate")
                || l.contains("empty client certificate") || l.contains("bad_certificate") && l.contains("received")) {
            return "no client certificate, or one the other side refused (" + innermost(cause) + ")";
        }
        if (l.contains("unknown_ca") || l.contains("pkix path") || l.contains("certificate_verify_failed")
                || l.contains("unable to find valid certification path") || l.contains("self-signed") || l.contains("self signed")) {
            return "certificate not signed by a trusted CA (" + innermost(cause) + ")";
        }
        if (l.contains("expired") || l.contains("certificate_expired") || l.contains("notafter")) {
            return "certificate expired (" + innermost(cause) + ")";
        }
        if (l.contains("protocol_version") || l.contains("unsupported_protocol") || l.contains("no appropriate protocol")
                || l.contains("wrong_version") || l.contains("no_shared_cipher") || l.contains("handshake_failure")) {
            return "no TLS version or cipher in common (" + innermost(cause) + ")";
        }
        if (cause instanceof ClosedChannelException || l.contains("closed")) return "connection closed during the handshake";
        if (l.contains("timed out")) return "handshake timed out";
        return innermost(cause);
    }

    private static String chain(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null && b.length() < 4000; c = c.getCause()) b.append(c).append(' ');
        return b.toString();
    }

    private static String innermost(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) c = c.getCause();
        String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        return m.replace('\n', ' ').trim();
    }
}
