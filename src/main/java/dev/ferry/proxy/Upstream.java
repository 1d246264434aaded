package dev.ferry.proxy;

import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
import io.netty.channel.EventLoop;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * What the sessions of one frontend share: its config, its router, the logins clients proved, and the
 * node connections of each event loop ({@link LinkPool}: no lock on the data path, each loop has its own).
 * A reload that changes how nodes are reached gives new sessions a new one; this one then serves its
 * sessions to their end and closes its connections after the last.
 */
final class Upstream {
    final FrontendConfig config;
    final Router router;
    final Logins logins = new Logins();
    final ClientPause pause = new ClientPause();
    /** Idle dedicated links kept set up per identity in use and event loop (tests on EmbeddedChannel set 0). */
    int sparesPerIdentity = LinkPool.SPARE_DEDICATED_PER_IDENTITY;
    final LinkConnector connector;
    private final Map<EventLoop, LinkPool> pools = new ConcurrentHashMap<>();
    private final UnaryOperator<EventLoop> poolOf;
    private final BiConsumer<HostPort, Boolean> onLeave = this::retire;
    /** Sessions admitted and not yet closed; -1 once replaced and closed down (no session admitted after). */
    private final AtomicInteger sessions = new AtomicInteger();
    private volatile boolean replaced;

    Upstream(FrontendConfig config, Router router, LinkConnector connector) {
        this(config, router, connector, UnaryOperator.identity());
    }

    /**
     * @param poolOf which event loop's pool a session's loop uses: itself, except in tests on
     *               EmbeddedChannel, where every channel has a loop of its own and all share one pool
     */
    Upstream(FrontendConfig config, Router router, LinkConnector connector, UnaryOperator<EventLoop> poolOf) {
        this.config = config;
        this.router = router;
        this.connector = connector;
        this.poolOf = poolOf;
        router.onLeave(onLeave);
    }

    /** Counts a new session in; false when this upstream was replaced and has closed down: take the new one. */
    boolean admit() {
        for (int n = sessions.get(); n >= 0; n = sessions.get()) {
            if (sessions.compareAndSet(n, n + 1)) return true;
        }
        return false;
    }

    /** A session of this upstream closed. */
    void left() {
        if (sessions.decrementAndGet() == 0 && replaced) closeDownIfUnused();
    }

    /** A reload gave new sessions another upstream: this one closes down once its last session has. */
    void replaced() {
        replaced = true;
        closeDownIfUnused();
    }

    private void closeDownIfUnused() {
        if (!sessions.compareAndSet(0, -1)) return;
        router.removeOnLeave(onLeave);
        for (LinkPool p : pools.values()) p.loop().execute(p::closeAll);
    }

    LinkPool pool(EventLoop loop) {
        return pools.computeIfAbsent(poolOf.apply(loop), l -> new LinkPool(this, l));
    }

    /** The node stopped being the master: every event loop retires its connections to it. */
    private void retire(HostPort node, boolean demoted) {
        for (LinkPool p : pools.values()) p.loop().execute(() -> p.retire(node, demoted));
    }

    TrafficStats stats() {
        return router.stats();
    }
}
