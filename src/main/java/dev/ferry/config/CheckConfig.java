package dev.ferry.config;

import java.time.Duration;

/** How often Ferry probes each node and Sentinel itself, and how long one probe may take. */
public record CheckConfig(Duration interval, Duration timeout) {
    public static final CheckConfig DEFAULT = new CheckConfig(Duration.ofSeconds(1), Duration.ofMillis(500));
}
