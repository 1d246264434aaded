package dev.ferry.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.HostPort;
import dev.ferry.topology.NodeReport;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeStatesTest {
    private static final HostPort NODE = new HostPort("127.0.0.1", 7001);
    private static final HostPort OTHER = new HostPort("127.0.0.1", 7002);
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    private final NodeStates states = new NodeStates();

    @Test
    void aNodeKeepsItsSinceWhileItsStateStaysTheSame() {
        states.observe("orders", List.of(NodeReport.master(NODE, 1, T0)));
        states.observe("orders", List.of(NodeReport.master(NODE, 9, T0.plusSeconds(5))));

        assertThat(states.since("orders", NodeReport.master(NODE, 12, T0.plusSeconds(9)))).isEqualTo(T0);
    }

    @Test
    void aNodeThatGoesDownGetsTheTimeOfTheFirstCheckThatSawItDown() {
        states.observe("orders", List.of(NodeReport.master(NODE, 1, T0)));
        states.observe("orders", List.of(NodeReport.down(NODE, "connection refused", T0.plusSeconds(3))));

        assertThat(states.since("orders", NodeReport.down(NODE, "connection refused", T0.plusSeconds(4)))).isEqualTo(T0.plusSeconds(3));
    }

    @Test
    void aChangeOfRoleIsANewState() {
        states.observe("orders", List.of(NodeReport.replica(NODE, OTHER, true, 1, T0)));
        states.observe("orders", List.of(NodeReport.master(NODE, 1, T0.plusSeconds(7))));

        assertThat(states.since("orders", NodeReport.master(NODE, 2, T0.plusSeconds(8)))).isEqualTo(T0.plusSeconds(7));
    }

    @Test
    void frontendsAreTrackedApart() {
        states.observe("orders", List.of(NodeReport.master(NODE, 1, T0)));

        assertThat(states.since("sessions", NodeReport.master(NODE, 1, T0.plusSeconds(60)))).isEqualTo(T0.plusSeconds(60));
    }
}
