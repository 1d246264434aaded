package dev.ferry.topology;

import dev.ferry.config.HostPort;
import java.time.Duration;
import java.time.Instant;

/**
 * One change of master as Ferry routed it.
 *
 * @param from     the master routed before (null at start)
 * @param to       the master routed now
 * @param took     from the moment {@code from} stopped getting traffic to the moment {@code to} got it
 * @param reason   the verdict's reason
 */
public record SwitchRecord(Instant at, HostPort from, HostPort to, Duration took, Basis basis, long epoch, String reason) {}
