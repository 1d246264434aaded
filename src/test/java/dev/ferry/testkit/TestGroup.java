package dev.ferry.testkit;

import dev.ferry.demo.group.RedisGroup;

/**
 * The Redis group integration tests start: one master, two replicas, three Sentinels (quorum 2) on
 * loopback, Sentinel's down-after 2 s and failover-timeout 10 s, so that a failover takes seconds.
 */
public final class TestGroup {
    public static final long DOWN_AFTER_MILLIS = 2000;
    public static final long FAILOVER_TIMEOUT_MILLIS = 10_000;

    private TestGroup() {}

    public static RedisGroup start(String password) {
        return builder(password).start();
    }

    /** For a variant (one replica, fixed ports...). */
    public static RedisGroup.Builder builder(String password) {
        return RedisGroup.builder().password(password).downAfterMillis(DOWN_AFTER_MILLIS).failoverTimeoutMillis(FAILOVER_TIMEOUT_MILLIS);
    }
}
