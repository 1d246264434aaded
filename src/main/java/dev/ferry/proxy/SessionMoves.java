package dev.ferry.proxy;

import dev.ferry.config.HostPort;
import io.netty.buffer.ByteBuf;

/**
 * What a session does when something happens to its node connections: the node stopped being the master,
 * the connection closed or could not be made, the move timer fired, no master came in time. The decisions
 * are {@link MasterChange}'s; here they are carried out: move (with identity and connection state set up
 * again on the new master), pass held replies on, or cut.
 */
final class SessionMoves {
    private final ClientSession s;

    SessionMoves(ClientSession s) {
        this.s = s;
    }

    void linkReady(NodeLink l) {
        if (s.closed) return;
        if (l == s.dedicated && l.node.equals(s.closedUnderOn)) {
            // The node that closed the session's own connection took a new one at once: it is up, and it
            // closed that connection for this client (CLIENT KILL, its timeout...): as directly, so does Ferry.
            ClientSession.log.info("[{}] client {}: {} closed its connection and is still the master; closing the client's, as directly",
                    s.up.config.name(), s.client.remoteAddress(), l.node);
            s.stats().sessionsClosedByNode.increment();
            s.closed = true;
            s.dedicated = null;
            s.link = null;
            l.close();
            NodeConnections.flushAndClose(s.client);
            return;
        }
        s.closedUnderOn = null;
        s.sender.pump();
    }

    void linkWritable(NodeLink l) {
        if (s.closed) return;
        s.updateClientReads();
        // Sessions woken together may fill the link again before this one's turn: it waits again, or it
        // would never hear that the link drained.
        if (l.isWritable()) s.sender.pump();
        else if (l.shared && s.journal.unsent() > 0) l.await(s);
    }

    /** A connection this session waited for could not be made or set up. */
    void linkFailed(NodeLink l, String why) {
        if (s.closed) return;
        s.closedUnderOn = null;  // not up after all: the close was the node's end, the session waits for a master
        if (l == s.dedicated) {
            s.dedicated = null;
            if (s.link == l) s.link = null;
            if (s.state.any() || s.inTx || s.watching) {
                ClientSession.log.warn("[{}] client {}: cannot set its connection state up again on {} ({}); closing it", s.up.config.name(),
                        s.client.remoteAddress(), l.node, why);
                cut();
                return;
            }
        }
        if (s.link == l && s.journal.sent() == 0) s.link = null;
        if (s.login != null && s.link == null) s.login = null;
        // Nothing was sent on it: try again shortly; the wait timer bounds how long commands wait.
        s.timers.retrySoon();
    }

    /** The node connection closed under the session. */
    void linkClosed(NodeLink l) {
        if (s.closed || (l != s.link && l != s.dedicated)) return;
        if (l == s.dedicated) {
            s.dedicated = null;
            Router.Route r = s.up.router.route(s.node);
            if (r != null && r.node().equals(l.node)) s.closedUnderOn = l.node;  // killed, or the node is down: linkReady tells
        }
        s.link = null;
        if (s.opaque || s.opaqueAfterSend || s.quitting) {
            NodeConnections.flushAndClose(s.client);  // Redis's last bytes go first
            return;
        }
        if (!movable()) {
            cut();
            return;
        }
        act(s.change.closed(unanswered(), s.out.carrying() && !s.stream ? false : repeatableInFlight()));
    }

    /** The link's node stopped being the master. */
    void linkLeft(NodeLink l, boolean demoted) {
        if (s.closed || (l != s.link && l != s.dedicated)) return;
        if (s.opaque || s.opaqueAfterSend || !movable()) {
            cut();
            return;
        }
        if (l == s.dedicated && s.journal.sent() == 0 && !s.change.holding()) {
            s.dedicated = null;  // its own connection follows the master: a new one on the next command
            s.link = null;
            l.close();
        }
        Router.Route r = s.up.router.route(s.node);
        if (r != null && r.node().equals(l.node)) return;  // stale retirement: the node is master again
        int unanswered = unanswered();
        // A replica frontend's reads run again on another replica at once: the one left may be stalled.
        if ((!demoted || s.up.config.readsFromReplicas()) && unanswered > 0 && repeatableInFlight()) {
            act(MasterChange.Outcome.MOVE);  // reads and queued commands: nothing ran that matters; run them again
            return;
        }
        // A blocking pop waiting on an old master that may still take writes: it ends when that node is
        // demoted (Ferry fences it, Sentinel converts it: -UNBLOCKED, then it runs again on the new master)
        // or is served there; move-timeout bounds the wait.
        act(s.change.left(demoted || onlyBlockingInFlight(), unanswered));
        if (!s.closed && s.change.state() == MasterChange.State.LEAVING) s.timers.startMove();
    }

    /** Whether what the session set up can be set up again on a new connection. */
    boolean movable() {
        return !s.state.trackingRedirects() && s.state.txReplayable();
    }

    int unanswered() {
        return s.journal.sent() - s.change.heldCount() + (s.out.carrying() && !s.stream ? 1 : 0);
    }

    /** Every command in flight beyond the held ones may run again: reads, and commands queued in MULTI. */
    boolean repeatableInFlight() {
        for (int k = s.change.heldCount(); k < s.journal.sent(); k++) {
            int f = s.journal.flags(k);
            boolean read = (f & CommandTable.READ) != 0 && (f & CommandTable.IN_TX) == 0;
            boolean queued = (f & CommandTable.IN_TX) != 0 && (f & CommandTable.EXEC) == 0 && s.state.txReplayable();
            if (!read && !queued) return false;
        }
        return true;
    }

    boolean onlyBlockingInFlight() {
        for (int k = s.change.heldCount(); k < s.journal.sent(); k++) {
            int f = s.journal.flags(k);
            if ((f & CommandTable.BLOCKING) == 0 || (f & CommandTable.IN_TX) != 0) return false;
        }
        return s.journal.sent() > s.change.heldCount();
    }

    void moveTimedOut() {
        if (s.closed || s.change.attached()) return;
        MasterChange.Outcome o = s.change.timedOut();
        if (o == MasterChange.Outcome.CUT) {
            ClientSession.log.warn("[{}] {}: no reply to commands in flight {} ms after it stopped being master; closing the client session",
                    s.up.config.name(), s.node, s.up.config.moveTimeout().toMillis());
        }
        act(o);
    }

    void act(MasterChange.Outcome o) {
        switch (o) {
            case WAIT -> { }
            case CUT -> cut();
            case MOVE -> moveOn();
            case PASS_HELD_AND_STAY -> {
                passHeldOn();
                s.timers.cancelMove();
                s.sender.pump();
            }
            case PASS_HELD_AND_MOVE -> {
                passHeldOn();
                moveOn();
            }
        }
    }

    /** Gives up sending again: the client gets the replies the node gave. */
    void passHeldOn() {
        for (ByteBuf b : s.change.takeHeldBytes()) s.out.write(b);
        for (int kind : s.change.takeHeldKinds()) s.replies.passedOn(s.journal.oldestFlags(), kind);
        s.flushSoon();
    }

    /**
     * Leaves the node: what it refused (and anything not sent yet) goes to the next master, after the
     * session's connection state is set up there again; a transaction open on the old node is run again
     * up to where it was, and a WATCH that could not move makes the next EXEC an aborted one.
     */
    void moveOn() {
        int again = s.journal.sent();
        Router.Route r = s.up.router.route(s.node);
        if (s.nodeStats != null) {
            if (again > 0) s.nodeStats.commandsResent.add(again);
            if (r == null || !r.node().equals(s.node)) s.nodeStats.sessionsMoved.increment();
            if (s.stream || s.state.any()) s.nodeStats.stateMoved.increment();
        }
        s.timers.cancelMove();
        NodeLink d = s.dedicated;
        s.dedicated = null;
        if (d != null) d.close();
        s.link = null;
        s.change.moved();
        s.journal.markNoneSent();
        if (s.stream) s.out.dropCarry();  // a message cut by the move: the client never saw its start
        if (s.watching) {
            s.watching = false;
            s.watchBroken = true;
        }
        if (s.state.txOpen()) s.inTx = true;
        if (s.state.tracking()) {
            s.out.write(ClientSession.INVALIDATE_ALL.duplicate());  // entries cached from the old master may be stale now
            if (s.nodeStats != null) s.nodeStats.cachesFlushed.increment();
        }
        s.detachFrom(null);
        s.flushSoon();
        s.sender.pump();
        s.updateClientReads();
    }

    /** Closes the client: what was already passed on is flushed first. */
    void cut() {
        s.out.flushRun();
        if (s.nodeStats != null) s.nodeStats.sessionsCut.increment();
        NodeLink d = s.dedicated;
        s.dedicated = null;
        if (d != null) d.close();
        NodeConnections.flushAndClose(s.client);
        s.closed = true;
    }

    /** No master came within wait-for-master: each waiting command gets -MASTERDOWN; the session stays. */
    void waitTimedOut() {
        if (s.closed || s.journal.sent() > 0) return;
        int n = s.journal.unsent();
        if (n == 0) return;
        s.stats().waitTimeouts.add(n);
        ByteBuf err = NodeConnections.noMasterKnown(s.up.config);
        s.out.flushRun();
        for (int k = 0; k < n; k++) {
            s.out.write(err.retainedDuplicate());
            s.journal.skipNext(1);
            s.journal.removeOldest();
        }
        err.release();
        s.flushSoon();
        s.updateClientReads();
    }

    /**
     * The node this session is on stopped being the master. Sessions with commands in flight hear it from
     * the connection those went to; s is for the others: an idle session just leaves (its next command
     * goes to the new master), one whose last command was refused as by a replica now moves.
     */
    void nodeLeft(HostPort left, boolean demoted) {
        if (s.closed || !left.equals(s.node)) return;
        if (s.dedicated != null && s.dedicated.node.equals(left)) return;  // its own connection tells it
        if (s.journal.sent() - s.change.heldCount() > 0) return;  // the connection those are on tells it
        act(s.change.left(demoted || s.change.holding(), 0));
    }
}
