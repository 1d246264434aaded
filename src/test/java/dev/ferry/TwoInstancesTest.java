package dev.ferry;

import static dev.ferry.testkit.Waits.SWITCH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.config.HostPort;
import dev.ferry.demo.group.PortAllocator;
import dev.ferry.demo.group.RedisGroup;
import dev.ferry.drill.WriteLoad;
import dev.ferry.resp.RedisLink;
import dev.ferry.testkit.FerryHarness;
import dev.ferry.testkit.TestConfig;
import dev.ferry.testkit.TestGroup;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two Ferry instances in front of one group, as the seed's two HAProxy servers behind its load balancer:
 * they need no shared state because each follows the same Sentinels.
 */
@Tag("integration")
class TwoInstancesTest {
    /**
     * How long the two may route differently while a switch is under way. Both learn of it from the same
     * Sentinel events and confirm it with their own check of the promoted replica, so they differ by about
     * one probe round trip; 1 s is the default check interval, the most a missed event could add.
     */
    static final Duration TRANSITION_BOUND = Duration.ofSeconds(1);
    static final Duration SAMPLE_EVERY = Duration.ofMillis(20);

    /** Both routes at one moment. */
    record Sample(long nanos, HostPort first, HostPort second) {
        boolean agree() {
            return Objects.equals(first, second);
        }
    }

    static RedisGroup group() {
        return TestGroup.start("pw-two-instances");
    }

    /** One instance with the production check defaults, its own client and admin port, the same config otherwise. */
    static FerryHarness instance(RedisGroup g, String node) throws Exception {
        return FerryHarness.start(g, TestConfig.of(TestConfig.Frontend.named("orders").bindPort(PortAllocator.next()).following(g))
                .admin(TestConfig.Admin.on(PortAllocator.next()).login("admin", "admin-pw").nodeName(node)));
    }

    @Test
    void bothInstancesRouteToTheSameMasterAndNeverDisagreeOnceASentinelFailoverIsDone() throws Exception {
        try (RedisGroup g = group(); FerryHarness a = instance(g, "ferry-1"); FerryHarness b = instance(g, "ferry-2")) {
            a.awaitRouted();
            b.awaitRouted();
            HostPort old = g.sentinelMaster();
            assertThat(a.routedMaster()).isEqualTo(old);
            assertThat(b.routedMaster()).isEqualTo(old);

            List<Sample> samples = new ArrayList<>();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    synchronized (samples) {
                        samples.add(new Sample(System.nanoTime(), a.routedMaster(), b.routedMaster()));
                    }
                    try {
                        Thread.sleep(SAMPLE_EVERY.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "two-instances-sampler");
            sampler.start();
            g.sentinelFailover();
            await().atMost(SWITCH).pollInterval(SAMPLE_EVERY).until(() -> {
                HostPort x = a.routedMaster();
                return x != null && !x.equals(old) && x.equals(b.routedMaster());
            });
            HostPort now = a.routedMaster();
            // The moment both have switched, the node they route to is the master by its own word.
            assertThat(g.role(now)).isEqualTo("master");
            Thread.sleep(2000);
            sampler.interrupt();
            sampler.join();

            List<Sample> seen;
            synchronized (samples) {
                seen = List.copyOf(samples);
            }
            int done = firstOfFinalRun(seen, now);
            assertThat(done).as("both instances route to %s until the end", now).isGreaterThan(0);
            assertThat(seen.subList(done, seen.size())).allSatisfy(s -> {
                assertThat(s.first()).isEqualTo(now);
                assertThat(s.second()).isEqualTo(now);
            });
            // Before that, each routes to the old master, to the new one, or holds (null): never to a third node.
            assertThat(seen).allSatisfy(s -> {
                assertThat(s.first()).isIn(old, now, null);
                assertThat(s.second()).isIn(old, now, null);
            });
            long firstDisagreement = seen.stream().filter(s -> !s.agree()).mapToLong(Sample::nanos).min().orElse(seen.get(done).nanos());
            Duration window = Duration.ofNanos(seen.get(done).nanos() - firstDisagreement);
            assertThat(window).as("the instances routed differently for %d ms", window.toMillis()).isLessThanOrEqualTo(TRANSITION_BOUND);
            assertThat(g.role(now)).isEqualTo("master");
            assertThat(g.role(old)).isNotEqualTo("master");
        }
    }

    /** The index of the first sample from which both instances route to {@code master} to the end; -1 if none. */
    private static int firstOfFinalRun(List<Sample> samples, HostPort master) {
        int start = -1;
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            boolean both = master.equals(s.first()) && master.equals(s.second());
            if (both && start < 0) start = i;
            if (!both) start = -1;
        }
        return start;
    }

    @Test
    void killingOneInstanceLeavesTheOtherServingAndHealthTellsTheLoadBalancerWhichToUse() throws Exception {
        try (RedisGroup g = group(); FerryHarness a = instance(g, "ferry-1"); FerryHarness b = instance(g, "ferry-2")) {
            a.awaitRouted();
            b.awaitRouted();
            assertThat(a.getWithoutCredentials("/health").statusCode()).isEqualTo(200);
            assertThat(b.getWithoutCredentials("/health").statusCode()).isEqualTo(200);

            try (WriteLoad survivor = WriteLoad.start(b.address(), g.credentials(), Duration.ofMillis(10), false, "survivor")) {
                Thread.sleep(300);
                a.close();
                Thread.sleep(700);
                survivor.close();
                assertThat(survivor.failed()).as(survivor.toString()).isZero();
                assertThat(survivor.countLost(g.sentinelMaster())).isZero();
            }

            assertThatThrownBy(() -> RedisLink.open(a.address(), g.credentials(), Duration.ofSeconds(1), null))
                    .isInstanceOf(ConnectException.class);
            assertThatThrownBy(() -> a.getWithoutCredentials("/health")).isInstanceOf(ConnectException.class);
            HttpResponse<String> live = b.getWithoutCredentials("/health");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.body()).startsWith("ok: orders master " + g.sentinelMaster());
            try (RedisLink l = RedisLink.open(b.address(), g.credentials(), Duration.ofSeconds(2), null)) {
                assertThat(l.call("SET", "after-kill", "v")).isEqualTo("OK");
            }
        }
    }

    @Test
    void bothInstancesFencingTheSameReturningOldMasterIsHarmless() throws Exception {
        try (RedisGroup g = group(); FerryHarness a = instance(g, "ferry-a"); FerryHarness b = instance(g, "ferry-b")) {
            await().atMost(SWITCH).until(() -> a.routedMaster() != null && a.routedMaster().equals(b.routedMaster()));
            HostPort old = a.routedMaster();
            g.node(old).kill();
            await().atMost(SWITCH).until(() -> a.routedMaster() != null && !old.equals(a.routedMaster()) && a.routedMaster().equals(b.routedMaster()));
            HostPort now = a.routedMaster();
            // It comes back empty and claiming master: both instances know it as the master of an older epoch.
            g.node(old).restart();
            // An instance publishes its fence count with the check round that follows the REPLICAOF, so the
            // node can answer as a replica a few milliseconds before the count shows: wait for both.
            await().atMost(SWITCH).until(() -> "slave".equals(g.role(old)));
            await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(a.snapshot().fences() + b.snapshot().fences())
                    .as("at least one instance fenced it").isGreaterThanOrEqualTo(1));
            List<?> role = (List<?>) g.node(old).call("ROLE");
            assertThat(role.get(1) + ":" + role.get(2)).isEqualTo(now.host() + ":" + now.port());
            assertThat(a.routedMaster()).isEqualTo(now);
            assertThat(b.routedMaster()).isEqualTo(now);
        }
    }
}
