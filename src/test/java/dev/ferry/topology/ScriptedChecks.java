package dev.ferry.topology;

import dev.ferry.config.HostPort;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link Checks} that answer what the test scripted, without sockets. A host can be made to hang (as a
 * partitioned one does) until the test releases it; every command sent is recorded.
 */
final class ScriptedChecks implements Checks {
    static final Instant AT = Instant.parse("2026-11-26T12:00:00Z");

    private final Map<HostPort, SentinelReport> sentinels = new ConcurrentHashMap<>();
    private final Map<HostPort, NodeReport> nodes = new ConcurrentHashMap<>();
    private final Map<HostPort, CountDownLatch> hanging = new ConcurrentHashMap<>();
    private final Map<HostPort, AtomicInteger> asked = new ConcurrentHashMap<>();
    final List<String> commands = java.util.Collections.synchronizedList(new ArrayList<>());
    volatile Object commandReply = "OK";
    volatile IOException commandFailure;

    ScriptedChecks sentinel(HostPort s, HostPort names, long epoch) {
        sentinels.put(s, SentinelReport.names(s, names, epoch, AT));
        return this;
    }

    ScriptedChecks sentinel(SentinelReport r) {
        sentinels.put(r.sentinel(), r);
        return this;
    }

    ScriptedChecks node(NodeReport r) {
        nodes.put(r.node(), r);
        return this;
    }

    /** The next checks of this host hang until {@link #release}; then they answer as scripted. */
    ScriptedChecks hang(HostPort host) {
        hanging.put(host, new CountDownLatch(1));
        return this;
    }

    void release(HostPort host) {
        CountDownLatch l = hanging.remove(host);
        if (l != null) l.countDown();
    }

    int timesAsked(HostPort host) {
        AtomicInteger n = asked.get(host);
        return n == null ? 0 : n.get();
    }

    @Override
    public SentinelReport sentinel(HostPort s) {
        answerLater(s);
        SentinelReport r = sentinels.get(s);
        return r != null ? r : SentinelReport.unreachable(s, "connection refused", AT);
    }

    @Override
    public NodeReport node(HostPort n) {
        answerLater(n);
        NodeReport r = nodes.get(n);
        return r != null ? r : NodeReport.down(n, "connection refused", AT);
    }

    @Override
    public Object command(HostPort node, String... args) throws IOException {
        commands.add(node + " " + String.join(" ", args));
        if (commandFailure != null) throw commandFailure;
        return commandReply;
    }

    private void answerLater(HostPort host) {
        asked.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
        CountDownLatch l = hanging.get(host);
        if (l == null) return;
        try {
            l.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        hanging.values().forEach(CountDownLatch::countDown);
    }
}
