package dev.ferry.admin;

import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
import dev.ferry.config.ReplicaReads;
import dev.ferry.proxy.Router;
import dev.ferry.topology.ReplicaSet;
import dev.ferry.topology.ReplicaState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A replica frontend's replicas for the page, JSON, metrics and /health: which are in, their lag, their
 * sessions, and why each other node is out. {@link #OFF} for a master frontend.
 *
 * @param fallback     where reads go while no replica qualifies: "master" or "refuse"
 * @param fallingBack  no replica qualifies and reads go to the master now
 * @param maxLagBytes  the byte bound (-1: none)
 * @param maxLagMillis the time bound (-1: none)
 */
public record ReplicasView(boolean enabled, String fallback, boolean fallingBack, long maxLagBytes, long maxLagMillis,
                           boolean fromMaster, List<Row> rows) {

    public static final ReplicasView OFF = new ReplicasView(false, null, false, -1, -1, false, List.of());

    /** One node: in or out (and why), how far behind the master, client sessions reading from it now. */
    public record Row(HostPort node, boolean in, long lagBytes, long lagMillis, long sessions, String why) {}

    public ReplicasView {
        rows = List.copyOf(rows);
    }

    static ReplicasView of(FrontendConfig c, ReplicaSet set, Router router, UnaryOperator<String> redact) {
        if (c.replicaReads().isEmpty() || !set.enabled()) return OFF;
        ReplicaReads r = c.replicaReads().get();
        List<Row> rows = new ArrayList<>();
        for (ReplicaState s : set.nodes()) {
            rows.add(new Row(s.node(), s.in(), s.lagBytes(), s.lagMillis(), router.sessionsOn(s.node()), redact.apply(s.why())));
        }
        return new ReplicasView(true, r.fallback().key(), set.fallingBack(), r.maxLagBytes().orElse(-1),
                r.maxLag().map(d -> d.toMillis()).orElse(-1L), r.fromMaster(), rows);
    }

    public List<HostPort> in() {
        return rows.stream().filter(Row::in).map(Row::node).toList();
    }

    /** Reads have somewhere to go: a replica, or the master as the fallback. */
    public boolean serving(boolean hasMaster) {
        return !in().isEmpty() || fallingBack && hasMaster;
    }
}
