package dev.ferry.config;

import java.time.Duration;

/**
 * The HTTP admin listener: stats page, metrics and health. Like HAProxy's {@code listen stats} with
 * {@code stats auth}, {@code stats refresh}, {@code stats show-node} and {@code stats hide-version}.
 */
public record AdminConfig(
        HostPort bind,
        String user,
        String password,
        boolean healthNeedsAuth,
        Duration refresh,
        String nodeName,
        boolean showVersion) {

    public boolean authRequired() {
        return password != null;
    }

    @Override
    public String toString() {
        return "AdminConfig[bind=" + bind + ", user=" + user + ", password=" + (password == null ? "none" : "****") + "]";
    }
}
