package dev.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.config.HostPort;
import dev.ferry.topology.Basis;
import dev.ferry.topology.ReplicaSet;
import dev.ferry.topology.ReplicaState;
import dev.ferry.topology.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Where a replica frontend's sessions go, and which nodes its router tells sessions to leave. No sockets. */
class ReplicaRoutesTest {
    static final HostPort M = HostPort.parse("10.0.0.1:6379");
    static final HostPort R1 = HostPort.parse("10.0.0.2:6379");
    static final HostPort R2 = HostPort.parse("10.0.0.3:6379");

    private final Map<HostPort, Long> sessions = new HashMap<>();

    static ReplicaSet set(boolean fallback, HostPort... in) {
        List<ReplicaState> nodes = new ArrayList<>();
        for (HostPort n : List.of(M, R1, R2)) {
            boolean on = List.of(in).contains(n);
            nodes.add(new ReplicaState(n, on, on ? 0 : -1, on ? 0 : -1, on ? "" : "its link to the master is down (link connect)"));
        }
        return new ReplicaSet(true, M, nodes, fallback);
    }

    static ReplicaRoutes routes(ReplicaSet set) {
        Map<HostPort, Router.Route> r = new HashMap<>();
        long g = 0;
        for (HostPort n : set.in()) r.put(n, new Router.Route(n, ++g, true));
        return new ReplicaRoutes(set, r, new Router.Route(M, 100, true));
    }

    private Router.Route pick(ReplicaRoutes r, HostPort current) {
        return r.pick(current, n -> sessions.getOrDefault(n, 0L));
    }

    @Test
    void aNewSessionGoesToTheReplicaWithTheFewestSessionsAndStaysThere() {
        ReplicaRoutes r = routes(set(true, R1, R2));
        sessions.put(R1, 3L);
        sessions.put(R2, 1L);
        assertThat(pick(r, null).node()).isEqualTo(R2);
        assertThat(pick(r, R1).node()).as("its replica still qualifies").isEqualTo(R1);
        assertThat(pick(r, R1).passesRefusals()).as("-READONLY is the client's").isTrue();
    }

    @Test
    void aSessionOnAReplicaThatIsOutGoesToAnother() {
        assertThat(pick(routes(set(true, R2)), R1).node()).isEqualTo(R2);
    }

    @Test
    void withNoReplicaSessionsReadFromTheMasterOrWait() {
        assertThat(pick(routes(set(true)), R1).node()).isEqualTo(M);
        assertThat(pick(routes(set(true)), R1).passesRefusals()).isTrue();
        assertThat(pick(routes(set(false)), R1)).as("replica-fallback: refuse").isNull();
    }

    @Test
    void theRouterTellsSessionsToLeaveAReplicaThatWentOutAndTheMasterOnceReplicasAreBack() {
        Router router = new Router("reads");
        List<HostPort> left = new ArrayList<>();
        router.onLeave((node, demoted) -> left.add(node));
        router.onReplicas(set(true, R1, R2));
        assertThat(router.route(null).node()).isIn(R1, R2);

        router.onReplicas(set(true, R2));
        assertThat(left).containsExactly(R1);
        assertThat(router.route(R1).node()).isEqualTo(R2);

        router.onReplicas(set(true, R1, R2));
        assertThat(left).as("a replica coming back takes new sessions; nothing leaves").containsExactly(R1);
    }

    @Test
    void sessionsThatFellBackToTheMasterLeaveItOnceAReplicaQualifiesAgain() {
        Router router = new Router("reads");
        List<HostPort> left = new ArrayList<>();
        router.onLeave((node, demoted) -> left.add(node));
        router.onReplicas(set(true, R1));
        router.onVerdict(Verdict.INITIAL, new Verdict(M, null, 1, M, Basis.SENTINELS, "named", List.of(), Set.of()), n -> false);
        router.onReplicas(set(true));
        assertThat(left).containsExactly(R1);
        assertThat(router.route(R1).node()).as("falls back to the master").isEqualTo(M);
        router.nodeStats(M).sessionsNow.increment();

        router.onReplicas(set(true, R2));
        assertThat(left).containsExactly(R1, M);
        assertThat(router.route(M).node()).isEqualTo(R2);
    }
}
