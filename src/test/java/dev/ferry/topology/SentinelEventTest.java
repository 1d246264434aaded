package dev.ferry.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.HostPort;
import org.junit.jupiter.api.Test;

/** Reading Sentinel's event payloads (sentinel.c's "%@" format). */
class SentinelEventTest {
    static final HostPort FROM = HostPort.parse("127.0.0.1:26379");

    static SentinelEvent ev(String name, String payload) {
        return new SentinelEvent(FROM, name, payload);
    }

    @Test
    void anEventAboutAReplicaNamesTheMasterAfterTheAt() {
        SentinelEvent e = ev("+selected-slave", "slave 10.0.0.2:6379 10.0.0.2 6379 @ mymaster 10.0.0.1 6379");
        assertThat(e.masterOf("mymaster")).isEqualTo(HostPort.parse("10.0.0.1:6379"));
        assertThat(e.subject()).isEqualTo(HostPort.parse("10.0.0.2:6379"));
        assertThat(e.startsPromotion()).isTrue();
        assertThat(e.announcesPromoted()).isFalse();
    }

    @Test
    void anEventAboutTheMasterNamesItself() {
        SentinelEvent e = ev("+odown", "master mymaster 10.0.0.1 6379 #quorum 2/2");
        assertThat(e.masterOf("mymaster")).isEqualTo(HostPort.parse("10.0.0.1:6379"));
        assertThat(e.startsPromotion()).as("a quorum says the master is down: a failover follows").isTrue();
    }

    @Test
    void theLeaderAnnouncesThePromotedReplica() {
        SentinelEvent e = ev("+failover-state-wait-promotion", "slave 10.0.0.3:6379 10.0.0.3 6379 @ mymaster 10.0.0.1 6379");
        assertThat(e.announcesPromoted()).isTrue();
        assertThat(e.subject()).isEqualTo(HostPort.parse("10.0.0.3:6379"));
    }

    @Test
    void eventsOfAnotherMasterNameDoNotConcernUs() {
        assertThat(ev("+sdown", "master other 10.0.0.9 6379").concerns("mymaster")).isFalse();
        assertThat(ev("+sdown", "master other 10.0.0.9 6379").masterOf("mymaster")).isNull();
        assertThat(ev("+switch-master", "mymaster 10.0.0.1 6379 10.0.0.2 6379").concerns("mymaster")).isTrue();
    }

    @Test
    void anAbortEndsTheFailover() {
        assertThat(ev("-failover-abort-not-elected", "master mymaster 10.0.0.1 6379").endsFailover()).isTrue();
        assertThat(ev("+failover-end", "master mymaster 10.0.0.1 6379").endsFailover()).isTrue();
    }
}
