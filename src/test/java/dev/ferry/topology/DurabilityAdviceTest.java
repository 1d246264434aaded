package dev.ferry.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.HostPort;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What Ferry says about writes no front end can save. */
class DurabilityAdviceTest {
    static final HostPort M = HostPort.parse("10.0.0.1:6379");
    static final HostPort S = HostPort.parse("10.0.0.1:26379");
    static final Instant NOW = Instant.now();

    static NodeReport master(int toWrite, int maxLag) {
        return new NodeReport(M, Liveness.ANSWERS, Role.MASTER, null, false, 1, "", 50, NOW, toWrite, maxLag);
    }

    static List<SentinelReport> sentinels(long downAfter) {
        return List.of(new SentinelReport(S, true, false, M, 1, false, false, List.of(), List.of(), "", NOW, downAfter));
    }

    @Test
    void aMasterWithoutMinReplicasToWriteIsWarnedAboutWithTheFailoverWindow() {
        assertThat(DurabilityAdvice.of(master(0, 10), sentinels(5000))).get().asString()
                .contains("runs without min-replicas-to-write").contains("down-after-milliseconds 5000").contains("about 6 s");
    }

    @Test
    void aMasterWithMinReplicasToWriteGetsItsWindowStated() {
        assertThat(DurabilityAdvice.of(master(1, 10), sentinels(5000))).get().asString()
                .contains("stops accepting writes after about 10 s");
    }

    @Test
    void nothingIsSaidWhenTheSettingCannotBeRead() {
        assertThat(DurabilityAdvice.of(master(-1, -1), sentinels(5000))).isEmpty();
        assertThat(DurabilityAdvice.of(null, sentinels(5000))).isEmpty();
    }
}
