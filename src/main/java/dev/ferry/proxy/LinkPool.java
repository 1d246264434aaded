package dev.ferry.proxy;

import dev.ferry.config.HostPort;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The node connections of one frontend on one event loop: one shared link per (node, identity), and
 * idle dedicated links kept for reuse (a transaction or a blocking command borrows one instead of
 * opening a connection each time). Used from its event loop only.
 */
final class LinkPool {
    private static final int IDLE_DEDICATED_PER_IDENTITY = 4;
    /**
     * Dedicated links kept set up and idle per identity in use: a session that needs one (a transaction, a
     * blocking command, a script) takes it at once, even while Redis refuses SELECT to new connections
     * because a script runs, when directly the client's own connection would have been set up already.
     */
    static final int SPARE_DEDICATED_PER_IDENTITY = 2;

    private final Upstream upstream;
    private final EventLoop loop;
    private final Map<HostPort, Map<Identity, NodeLink>> shared = new HashMap<>();
    private final Map<HostPort, Map<Identity, ArrayDeque<NodeLink>>> idle = new HashMap<>();
    private final Map<HostPort, Set<NodeLink>> all = new HashMap<>();
    private final Map<HostPort, Set<ClientSession>> sessions = new HashMap<>();

    LinkPool(Upstream upstream, EventLoop loop) {
        this.upstream = upstream;
        this.loop = loop;
    }

    EventLoop loop() {
        return loop;
    }

    String frontend() {
        return upstream.config.name();
    }

    TrafficStats stats() {
        return upstream.stats();
    }

    Logins logins() {
        return upstream.logins;
    }

    /** The shared link of this identity to this node, if one is open or opening. */
    NodeLink shared(HostPort node, Identity id) {
        Map<Identity, NodeLink> m = shared.get(node);
        NodeLink l = m == null ? null : m.get(id);
        return l != null && l.usable() ? l : null;
    }

    /**
     * Opens the shared link of {@code id}. With a {@code login} session, that session's own AUTH, HELLO or
     * SELECT ({@code covers}: the CommandTable.IDENTITY parts it sets) decides whether the link is of that
     * identity: the parts Redis needs before it are set up first, the parts after it once Redis accepted it.
     */
    NodeLink openShared(HostPort node, Identity id, ClientSession login, int covers) {
        NodeLink l = new NodeLink(this, node, id, true);
        List<NodeLink.Step> first = new ArrayList<>(3);
        List<NodeLink.Step> after = new ArrayList<>(2);
        setUp(id, null, login == null ? 0 : covers, first, after);
        l.plan(first, login, after);
        shared.computeIfAbsent(node, n -> new HashMap<>()).put(id, l);
        open(l);
        keepSpares(node, id);
        return l;
    }

    /** Opens idle dedicated links of {@code id} until the upstream's spares are open or opening. */
    void keepSpares(HostPort node, Identity id) {
        // With connections: dedicated every session has its own anyway, and no idle connection should show.
        if (upstream.config.connections() == dev.ferry.config.ConnectionPolicy.DEDICATED) return;
        if (id.user() != null && logins().authFor(id.user()) == null) return;  // its login is still being verified
        ArrayDeque<NodeLink> q = idle.computeIfAbsent(node, n -> new HashMap<>()).computeIfAbsent(id, i -> new ArrayDeque<>());
        int have = 0;
        for (NodeLink l : q) if (l.usable()) have++;
        for (; have < upstream.sparesPerIdentity; have++) {
            q.add(openDedicated(node, id, null, List.of(), null));
        }
    }

    /**
     * A connection of {@code owner}'s own, of its identity (with its name), then {@code state}: the
     * connection state the session set up elsewhere (subscriptions, tracking, an open transaction...).
     * An idle one is reused when nothing beyond the identity is needed.
     */
    NodeLink dedicated(HostPort node, Identity id, byte[] name, List<NodeLink.Step> state, ClientSession owner) {
        if (state.isEmpty()) {
            Map<Identity, ArrayDeque<NodeLink>> byId = idle.get(node);
            ArrayDeque<NodeLink> q = byId == null ? null : byId.get(id);
            for (java.util.Iterator<NodeLink> it = q == null ? null : q.iterator(); it != null && it.hasNext(); ) {
                NodeLink l = it.next();
                if (!l.usable()) {
                    it.remove();
                } else if (l.ready() || name == null) {  // one still setting up tells its new owner when ready
                    it.remove();
                    l.own(owner, id);
                    if (name != null) l.sendOwn(NodeLink.Step.tolerated(Resp.command("CLIENT".getBytes(), "SETNAME".getBytes(), name)));
                    return l;  // not replaced now: a spare set up now would show in a MONITOR this session may start
                }
            }
        }
        return openDedicated(node, id, name, state, owner);
    }

    /** A new dedicated link of {@code id} (with its name), then {@code state}; {@code owner} null: idle. */
    private NodeLink openDedicated(HostPort node, Identity id, byte[] name, List<NodeLink.Step> state, ClientSession owner) {
        NodeLink l = new NodeLink(this, node, id, false);
        if (owner != null) l.own(owner, id);
        List<NodeLink.Step> first = new ArrayList<>(4);
        setUp(id, name, 0, first, new ArrayList<>());
        first.addAll(state);
        l.plan(first, null, new ArrayList<>());
        open(l);
        return l;
    }

    /** A dedicated link its session no longer needs: kept for reuse when clean, else closed. */
    void release(NodeLink l, Identity as, boolean clean) {
        if (!clean || !l.ready()) {
            l.close();
            return;
        }
        ArrayDeque<NodeLink> q = idle.computeIfAbsent(l.node, n -> new HashMap<>()).computeIfAbsent(as, i -> new ArrayDeque<>());
        if (q.size() >= IDLE_DEDICATED_PER_IDENTITY) {
            l.close();
            return;
        }
        l.disown(as);
        l.channel().config().setAutoRead(true);  // an idle connection still notices a close
        q.add(l);
    }

    private void open(NodeLink l) {
        all.computeIfAbsent(l.node, n -> new LinkedHashSet<>()).add(l);
        // Never back into the caller: it learns of the link (as its session's link) before the link speaks.
        upstream.connector.connect(loop, l.node, l).addListener((ChannelFutureListener) f -> loop.execute(() -> {
            if (f.isSuccess()) {
                l.connected(f.channel());
            } else {
                stats().connectErrors.increment();
                upstream.router.nodeStats(l.node).connectErrors.increment();
                l.connectFailed(f.cause());
            }
        }));
    }

    /**
     * The commands that make a new connection one of {@code id}: AUTH with the login a client proved,
     * HELLO 3, SELECT, and CLIENT SETNAME for a dedicated connection. Redis needs AUTH before the others;
     * a client's own command that sets some of these ({@code covers}) stands where its first part would,
     * and what follows it goes to {@code after}.
     */
    private void setUp(Identity id, byte[] name, int covers, List<NodeLink.Step> first, List<NodeLink.Step> after) {
        List<NodeLink.Step> to = first;
        boolean selectFirst = id.db() != 0 && id.user() != null && (covers & CommandTable.IDENTITY) == 0 && logins().selectsFirst(id.user());
        if (selectFirst) to.add(NodeLink.Step.required(Resp.command("SELECT", Integer.toString(id.db()))));
        if (id.user() != null) {
            if ((covers & CommandTable.AUTH) != 0) {
                to = after;
            } else {
                ByteBuf auth = logins().authFor(id.user());
                if (auth != null) to.add(NodeLink.Step.required(auth));
            }
        }
        if (id.proto() == 3) {
            if ((covers & CommandTable.HELLO) != 0) to = after;
            else to.add(NodeLink.Step.required(Resp.command("HELLO", "3")));
        }
        if (id.db() != 0 && !selectFirst) {
            if ((covers & CommandTable.SELECT) != 0) to = after;
            else to.add(NodeLink.Step.required(Resp.command("SELECT", Integer.toString(id.db()))));
        }
        // A user may lack the right to name its connection; the name is the session's anyway.
        if (name != null) first.add(NodeLink.Step.tolerated(Resp.command("CLIENT".getBytes(), "SETNAME".getBytes(), name)));
    }

    /** A link that closed or retired: no longer handed out. */
    void forget(NodeLink l) {
        Map<Identity, NodeLink> m = shared.get(l.node);
        if (m != null && m.get(l.identity()) == l) m.remove(l.identity());
        Map<Identity, ArrayDeque<NodeLink>> byId = idle.get(l.node);
        if (byId != null) {
            ArrayDeque<NodeLink> q = byId.get(l.identity());
            if (q != null) q.remove(l);
        }
        if (l.state() == NodeLink.State.CLOSED) {
            Set<NodeLink> s = all.get(l.node);
            if (s != null) s.remove(l);
        }
    }

    /** Its upstream closed down (replaced by a reload, its last session gone): every connection closes. */
    void closeAll() {
        for (Set<NodeLink> links : all.values()) {
            for (NodeLink l : new ArrayList<>(links)) l.close();
        }
    }

    void attached(ClientSession s, HostPort node) {
        sessions.computeIfAbsent(node, n -> new LinkedHashSet<>()).add(s);
    }

    void detached(ClientSession s, HostPort node) {
        Set<ClientSession> set = sessions.get(node);
        if (set != null) set.remove(s);
    }

    /**
     * The node is no longer the master: its links take nothing new and close once answered (the sessions
     * with commands in flight hear it from them), then every other session on it is told.
     */
    void retire(HostPort node, boolean demoted) {
        Set<NodeLink> s = all.get(node);
        if (s != null) {
            for (NodeLink l : new ArrayList<>(s)) l.retire(demoted);
        }
        Set<ClientSession> on = sessions.get(node);
        if (on != null) {
            for (ClientSession c : new ArrayList<>(on)) c.nodeLeft(node, demoted);
        }
    }
}
