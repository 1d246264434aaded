package dev.ferry.testkit;

import java.time.Duration;

/** How long tests wait for what takes a while in a real group. */
public final class Waits {
    /**
     * A switch of master: Sentinel's down-after (2 s in {@link TestGroup}), its election and promotion,
     * and Ferry following it, with room for a machine shared with other builds.
     */
    public static final Duration SWITCH = Duration.ofSeconds(20);

    private Waits() {}
}
