package dev.ferry.proxy;

import static dev.ferry.proxy.Wire.A;
import static dev.ferry.proxy.Wire.B;
import static dev.ferry.proxy.Wire.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.ConnectionPolicy;
import dev.ferry.config.HostPort;
import dev.ferry.config.ReplicaReads;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A replica frontend's sessions on in-memory channels with scripted node replies. */
class ReplicaSessionTest {
    static final HostPort C = new HostPort("10.0.0.3", 6379);

    private static Wire replicaFrontend() {
        return new Wire(ConnectionPolicy.SHARED, Optional.of(ReplicaReads.defaults())).master(A).replicas(A, B, C);
    }

    @Test
    void aWriteAReplicaRefusesIsPassedOnUnchangedAndNeverSentElsewhere() {
        Wire w = replicaFrontend();
        Wire.Client c = w.client();
        c.send("SET", "k", "v");
        Wire.Node replica = w.only(B);
        assertThat(replica.received()).isEqualTo(cmd("SET", "k", "v"));
        replica.reply("-READONLY You can't write against a read only replica.\r\n");
        assertThat(c.received()).isEqualTo("-READONLY You can't write against a read only replica.\r\n");
        assertThat(w.connections(A)).as("nothing goes to the master").isEmpty();
        assertThat(w.router.nodeStats(B).commandsResent.sum()).isZero();
    }

    @Test
    void readsInFlightOnAReplicaThatGoesOutRunAgainOnAnotherAtOnceAndItsLateRepliesAreDropped() {
        Wire w = replicaFrontend();
        Wire.Client c = w.client();
        c.sendRaw(cmd("GET", "a") + cmd("GET", "b"));
        Wire.Node stalled = w.only(B);
        assertThat(stalled.received()).isEqualTo(cmd("GET", "a") + cmd("GET", "b"));

        w.replicas(A, C);
        Wire.Node other = w.only(C);
        assertThat(other.received()).as("sent again at once, in order").isEqualTo(cmd("GET", "a") + cmd("GET", "b"));
        other.reply("$1\r\n1\r\n$1\r\n2\r\n");
        assertThat(c.received()).isEqualTo("$1\r\n1\r\n$1\r\n2\r\n");

        stalled.reply("$3\r\nold\r\n$3\r\nold\r\n");
        assertThat(c.received()).as("the stalled replica's replies, when they come, reach no one").isEmpty();
        c.send("GET", "c");
        assertThat(other.received()).isEqualTo(cmd("GET", "c"));
    }

    @Test
    void sessionsSpreadOverTheReplicasByFewestSessions() {
        Wire w = replicaFrontend();
        for (int i = 0; i < 4; i++) w.client().send("GET", "k");
        assertThat(w.router.sessionsOn(B)).isEqualTo(2);
        assertThat(w.router.sessionsOn(C)).isEqualTo(2);
        assertThat(w.router.sessionsOn(A)).isZero();
    }
}
