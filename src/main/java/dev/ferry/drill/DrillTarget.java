package dev.ferry.drill;

import dev.ferry.config.HostPort;

/** One Ferry instance the drill writes through. */
public record DrillTarget(String name, HostPort address) {}
