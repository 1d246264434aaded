package dev.ferry.config;

import java.time.Duration;

/**
 * The HTTP admin listener: stats page, metrics and health. Like HAProxy's {@code listen stats} with
 * {@code stats auth}, {@code stats refresh}, {@code stats show-node} and {@code stats hide-version};
 * {@code tls} (null: plain HTTP) serves it over HTTPS.
 */
public record AdminConfig(
        HostPort bind,
        String user,
        String password,
        boolean healthNeedsAuth,
        Duration refresh,
        String nodeName,
        boolean showVersion,
        TlsServerConfig tls) {

    public boolean authRequired() {
        return password != null;
    }

    @Override
    public String toString() {
        return "AdminConfig[bind=" + bind + ", user=" + user + ", password=" + (password == null ? "none" : "****")
                + ", tls=" + (tls == null ? "off" : "on") + "]";
    }
}
