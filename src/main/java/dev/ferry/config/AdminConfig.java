package dev.ferry.config;

import java.time.Duration;

/**
 * The HTTP admin listener: stats page, metrics and health. Like HAProxy's {@code listen stats} with
 * {@code stats auth}, {@code stats refresh}, {@code stats show-node} and {@code stats hide-version}.
 * {@code drain}: on SIGTERM, {@code /health} answers 503 this long before the listeners close, so that a
 * load balancer stops sending new connections first. {@code tls} (null: plain HTTP) serves it over HTTPS.
 */
public record AdminConfig(
        HostPort bind,
        String user,
        String password,
        boolean healthNeedsAuth,
        Duration refresh,
        String nodeName,
        boolean showVersion,
        Duration drain,
        TlsServerConfig tls) {
    /** No drain: SIGTERM closes the listeners at once, as before there was one. */
    public static final Duration DEFAULT_DRAIN = Duration.ZERO;
    public static final Duration MAX_DRAIN = Duration.ofMinutes(5);

    public boolean authRequired() {
        return password != null;
    }

    @Override
    public String toString() {
        return "AdminConfig[bind=" + bind + ", user=" + user + ", password=" + (password == null ? "none" : "****")
                + ", drain=" + drain + ", tls=" + (tls == null ? "off" : "on") + "]";
    }
}
