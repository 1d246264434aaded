package dev.ferry.topology;

import dev.ferry.config.HostPort;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * What one topology remembers for operators: the last 20 changes of master (with how long each took) and
 * Sentinel events, newest first, and counts of rounds, fences and events; it builds the published
 * {@link TopologySnapshot}. Used from the topology's thread only.
 */
final class TopologyHistory {
    static final int KEPT = 20;

    private final String frontend;
    private final String masterName;
    private final Ticker ticker;
    private final Deque<SwitchRecord> switches = new ArrayDeque<>();
    private final Deque<String> events = new ArrayDeque<>();
    private HostPort lastMaster;
    private long masterLostAtNanos;
    private long roundStartNanos;
    private long rounds;
    private long fences;
    private long eventCount;

    TopologyHistory(String frontend, String masterName, Ticker ticker) {
        this.frontend = frontend;
        this.masterName = masterName;
        this.ticker = ticker;
        this.masterLostAtNanos = ticker.nanoTime();
    }

    void roundStarted() {
        rounds++;
        roundStartNanos = ticker.nanoTime();
    }

    void event(SentinelEvent ev) {
        eventCount++;
        remember(events, ticker.now() + " " + ev.from() + " " + ev, KEPT);
    }

    /** A REPLICAOF was sent to an old master; only accepted ones count. */
    void fenced(boolean succeeded) {
        if (succeeded) fences++;
    }

    /**
     * Records a routing change. A new master is a switch: it took this round when it replaced another
     * directly, else it counts from when the old master lost its traffic (zero for the first one).
     */
    Optional<SwitchRecord> routed(Verdict before, Verdict now) {
        if (!now.hasMaster()) {
            if (before.hasMaster()) masterLostAtNanos = ticker.nanoTime();
            return Optional.empty();
        }
        if (now.master().equals(lastMaster)) return Optional.empty();
        long since = before.hasMaster() ? roundStartNanos : masterLostAtNanos;
        Duration took = lastMaster == null ? Duration.ZERO : Duration.ofNanos(ticker.nanoTime() - since);
        SwitchRecord rec = new SwitchRecord(ticker.now(), lastMaster, now.master(), took, now.basis(), now.epoch(), now.reason());
        remember(switches, rec, KEPT);
        lastMaster = now.master();
        return Optional.of(rec);
    }

    TopologySnapshot snapshot(Verdict verdict, List<NodeReport> nodes, List<SentinelReport> sentinels, List<String> advice,
                              ReplicaSet replicas) {
        return new TopologySnapshot(frontend, masterName, verdict, nodes, sentinels, List.copyOf(switches), List.copyOf(events),
                rounds, fences, eventCount, advice, replicas);
    }

    private static <T> void remember(Deque<T> q, T item, int max) {
        q.addFirst(item);
        while (q.size() > max) q.removeLast();
    }
}
