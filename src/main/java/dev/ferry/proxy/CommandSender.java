package dev.ferry.proxy;

import java.util.List;

/**
 * Where a session's next commands go, and when: onto the shared connection of its identity (runs of
 * complete commands, pipelined with other sessions'), to a connection of the identity an AUTH, HELLO or
 * SELECT asks for, onto a connection of the session's own while it holds connection state (streams of
 * Pub/Sub, transactions, leases), or answered here (CLIENT SETNAME/GETNAME, QUIT, RESET: {@link IdentityCommands}). A session has
 * commands in flight on one connection at a time: anything that needs another waits for the replies.
 */
final class CommandSender {
    private final ClientSession s;

    CommandSender(ClientSession s) {
        this.s = s;
    }

    /** Sends whatever may go now; called whenever something that held commands back changes. */
    void pump() {
        while (!s.closed && !s.quitting && !s.opaque && s.login == null && s.change.attached()) {
            if (s.pins != 0 || s.dedicated != null || s.stream || s.inTx || s.watching) {
                sendDedicated();
                return;
            }
            if (s.journal.unsent() == 0) {
                if (s.journal.partialBytes() > ClientSession.STREAM_AT && s.journal.sent() == 0) takeDedicated();  // stream it, do not keep it all
                return;
            }
            int first = s.journal.sent();
            int f = s.journal.flags(first);
            if (shareable(f) || wholeTransaction(first) > 0) {
                if (!sendShared(first)) return;
                continue;
            }
            if (s.journal.sent() > 0) return;  // the rest waits until what is in flight is answered
            if ((f & (CommandTable.SETNAME | CommandTable.GETNAME | CommandTable.RESET | CommandTable.QUIT)) != 0) {
                s.identityCommands.answerHere(f);
                continue;
            }
            if ((f & CommandTable.IDENTITY) != 0 && (f & CommandTable.INLINE) == 0) {
                s.identityCommands.loginOrPlain(f);
                return;
            }
            s.pins |= pinsFor(f);
            takeDedicated();
            return;
        }
    }

    boolean shareable(int f) {
        if ((f & CommandTable.NOT_SHARED) != 0 || s.up.pause.holds(f)) return false;
        return s.identity.user() != null || (f & CommandTable.UNAUTH_LIMIT) == 0;
    }

    /**
     * MULTI ... EXEC all read already, nothing in it that needs a connection of its own: the whole block
     * goes onto the shared connection in one write, where no other session's command can come between.
     * Returns how many commands that is, or 0.
     */
    int wholeTransaction(int first) {
        int f0 = s.journal.flags(first);
        if ((f0 & CommandTable.MULTI) == 0 || (f0 & CommandTable.NOT_SHARED & ~CommandTable.MULTI) != 0 || s.watchBroken) return 0;
        if (s.identity.user() == null && (f0 & CommandTable.UNAUTH_LIMIT) != 0) return 0;
        for (int k = first + 1; k < s.journal.commands(); k++) {
            int f = s.journal.flags(k);
            if ((f & CommandTable.EXEC) != 0) return k - first + 1;
            if (!shareable(f)) return 0;
        }
        return 0;
    }

    /** The run of commands from {@code first} that may go together onto the shared connection. */
    int sharedRun(int first) {
        int end = s.journal.commands();
        int k = first;
        while (k < end) {
            int f = s.journal.flags(k);
            if (shareable(f)) {
                k++;
                continue;
            }
            int tx = wholeTransaction(k);
            if (tx == 0) break;
            k += tx;
        }
        return k - first;
    }

    /** Writes the next run onto the shared connection; false when it has to wait. */
    boolean sendShared(int first) {
        Router.Route r = usableRoute();
        if (r == null) return false;
        NodeLink l = s.pool.shared(r.node(), s.identity);
        if (s.link != null && s.link != l && s.journal.sent() > 0) return false;  // replies from the last connection first
        if (l == null) l = s.pool.openShared(r.node(), s.identity, null, 0);
        // Counted on the node from its choice, not its first write: sessions that arrive together while a
        // connection opens are spread by a replica frontend (fewest sessions), not all sent to one.
        s.attachTo(l.node);
        if (!l.ready() || !l.isWritable() || !s.client.isWritable()) {
            l.await(s);
            return false;
        }
        int k = sharedRun(first);
        s.journal.writeNext(l.channel(), k);
        l.sent(s, k);
        l.flushSoon();
        s.link = l;
        s.attachTo(l.node);
        s.stats().commandsShared.add(k);
        return true;
    }

    /** The route to send to now, or null (after arranging to be called again when there is one). */
    Router.Route usableRoute() {
        Router.Route r = s.up.router.route(s.node);
        if (r != null && s.change.refusedBy() != null && !r.node().equals(s.change.refusedBy())) s.change.routeMovedOn();
        if (r == null || r.node().equals(s.change.refusedBy())) {
            s.timers.waitForRoute(s.journal.unsent() > 0, r);
            return null;
        }
        s.timers.routed();
        if (s.link != null && !s.link.node.equals(r.node()) && s.journal.sent() > 0) return null;  // settling elsewhere
        return r;
    }

    /** Takes a connection of the session's own (the next command needs one), then sends on it. */
    void takeDedicated() {
        if (s.dedicated == null) {
            if (s.journal.sent() > 0) return;  // drain the shared connection first
            Router.Route r = usableRoute();
            if (r == null) return;
            // It carries the session's name, so CLIENT LIST/INFO show it; one opened at a move also carries
            // the state the session had set up on the old one.
            if (anyDbLease()) {
                s.dedicated = s.pool.dedicated(r.node(), s.identity.withDb(0), null, List.of(), s);
                s.dedicatedAnyDb = true;
            } else {
                s.dedicatedAnyDb = false;
                s.dedicated = s.pool.dedicated(r.node(), s.identity, s.name, s.state.steps(), s);
                s.dedicatedNamed = s.name != null;
            }
            s.link = s.dedicated;
            s.attachTo(r.node());
            if (s.dedicated.channel() != null) s.dedicated.channel().config().setAutoRead(s.client.isWritable());
        }
        sendDedicated();
    }

    /**
     * The next command runs while Redis may refuse SELECT and SETNAME as -BUSY, and nothing ties the session
     * to a connection: it borrows one without the session's database and name, for that command only.
     */
    boolean anyDbLease() {
        return s.journal.unsent() > 0 && (s.journal.flags(s.journal.sent()) & CommandTable.ANY_DB) != 0
                && (s.identity.db() != 0 || s.name != null) && s.pins == 0 && !s.state.any() && !s.inTx && !s.watching;
    }

    void sendDedicated() {
        NodeLink d = s.dedicated;
        if (d == null) {
            takeDedicated();
            return;
        }
        if (!d.ready() || !d.isWritable()) return;  // linkReady / linkWritable call again
        Router.Route r = usableRoute();
        if (r == null || !r.node().equals(d.node)) return;  // not the route now: the router's move comes
        if (s.stream) {
            sendStream(d);
            return;
        }
        int before = s.journal.sent();
        if (s.journal.unsent() > 0) {
            int f = s.journal.flags(before);
            if ((f & CommandTable.STREAM) != 0 && !replyOn(before)) {
                if (before > 0) return;  // the replies before it are matched first; from it on they stream
                s.stream = true;
                s.pins |= ClientSession.PIN_STREAM;
                sendStream(d);
                return;
            }
            if ((f & CommandTable.WAIT) != 0) {
                // WAIT counts this connection's own last write: a propagated marker here first makes that at
                // least every write the session made, wherever it went (replies to everything before are in).
                if (before > 0) return;
                d.sendOwn(NodeLink.Step.tolerated(Resp.command(ClientSession.WAIT_MARKER)));
            }
        }
        int n = sendTracked(d);
        d.flushSoon();
        s.link = d;
        s.stats().commandsDedicated.add(n);
        maybeBecomeOpaque();
    }

    /** Writes the unsent commands on the session's own connection, replies matched one per command. */
    int sendTracked(NodeLink d) {
        int sent = 0;
        boolean tx = s.inTx;
        boolean borrowedAnyDb = s.dedicatedAnyDb;  // only what runs in any database goes on it
        while (s.journal.unsent() > 0) {
            int before = s.journal.sent();
            int k = 0;
            while (k < s.journal.unsent()) {
                int f = s.journal.flags(before + k);
                if (borrowedAnyDb && (f & CommandTable.ANY_DB) == 0) break;
                if ((f & CommandTable.MULTI) != 0) tx = true;
                if ((f & CommandTable.EXEC) != 0 && s.watchBroken && tx) break;
                if ((f & (CommandTable.STREAM | CommandTable.WAIT)) != 0 && sent + k > 0) return sent;  // on their own turn
                k++;
            }
            if (k == 0 && borrowedAnyDb) return sent;
            if (k == 0) {
                // An EXEC whose WATCH could not move: the transaction must not run. It goes as DISCARD, and
                // the client gets the null of an aborted EXEC.
                d.channel().write(Resp.command("DISCARD"), d.channel().voidPromise());
                s.journal.setFlags(before, s.journal.flags(before) | CommandTable.REPLY_NULL);
                s.journal.skipNext(1);
                d.sent(s, 1);
                sent++;
                tx = false;
                continue;
            }
            for (int i = before; i < before + k; i++) noteSentOnDedicated(s.journal.flags(i), i);
            s.journal.writeNext(d.channel(), k);
            d.sent(s, k);
            sent += k;
        }
        if (s.journal.unsent() == 0 && s.journal.partialBytes() > 0 && ((s.pins & (ClientSession.PIN_POLICY | ClientSession.PIN_OPAQUE)) != 0
                || s.journal.partialBytes() > ClientSession.STREAM_AT)) {
            s.journal.writeAllUnsent(d.channel());  // the start of a command still arriving, streamed as it comes
        }
        return sent;
    }

    /** CLIENT REPLY ON turns nothing into a stream. */
    boolean replyOn(int k) {
        List<byte[]> a = s.args(k);
        return a.size() >= 3 && Resp.is(a.get(0), "CLIENT") && Resp.is(a.get(2), "ON");
    }

    /**
     * Pub/Sub, MONITOR, CLIENT REPLY OFF: the replies are not one per command any more, so each complete
     * command is sent and forgotten (what it subscribed to is noted, to be set up again at a move), and
     * the node's replies and messages pass whole as they come.
     */
    void sendStream(NodeLink d) {
        int n = 0;
        while (s.journal.unsent() > 0) {
            int f = s.journal.flags(0);
            if ((f & CommandTable.RESET) != 0) {
                endStream();
                return;
            }
            if ((f & CommandTable.QUIT) != 0) s.quitting = true;  // Redis answers and closes; the client follows
            s.state.sent(s.args(0));
            s.journal.writeNext(d.channel(), 1);
            s.journal.removeOldest();
            n++;
        }
        d.flushSoon();
        s.link = d;
        s.stats().commandsDedicated.add(n);
        s.updateClientReads();
    }

    /** RESET in a stream: the session's own connection goes (with what it set up), and Ferry answers +RESET. */
    void endStream() {
        NodeLink d = s.dedicated;
        s.dedicated = null;
        s.link = null;
        if (d != null) d.close();
        s.out.dropCarry();
        s.stream = false;
        s.pins &= ClientSession.PIN_POLICY;
        s.state.reset();
        s.identity = Identity.INITIAL;
        s.name = null;
        s.journal.skipNext(1);
        s.journal.removeOldest();
        s.out.write(Resp.RESET.duplicate());
        s.flushSoon();
        pump();
    }

    void noteSentOnDedicated(int f, int k) {
        if ((f & CommandTable.SETNAME) != 0) s.dedicatedNamed = true;
        if ((f & CommandTable.MULTI) != 0) s.inTx = true;
        if ((f & CommandTable.WATCH) != 0) s.watching = true;
        if ((f & CommandTable.REPLAY) != 0) s.state.sent(s.args(k));
        s.pins |= pinsFor(f);
        if ((f & CommandTable.OPAQUE) != 0) s.opaqueAfterSend = true;
    }

    /** What a command ties to the session's own connection, beyond itself. */
    static int pinsFor(int f) {
        return ((f & CommandTable.PIN) != 0 ? ClientSession.PIN_CONN : 0) | ((f & CommandTable.DESCRIBE) != 0 ? ClientSession.PIN_DESCRIBE : 0)
                | ((f & CommandTable.OPAQUE) != 0 ? ClientSession.PIN_OPAQUE : 0) | ((f & CommandTable.WAIT) != 0 ? ClientSession.PIN_WAIT : 0);
    }

    /** Everything is sent and nothing needs following any more: bytes pass as they come from now on. */
    void maybeBecomeOpaque() {
        if (!s.opaqueAfterSend || s.opaque || s.dedicated == null || !s.dedicated.ready() || s.journal.unsentBytes() > 0
                || s.change.holding() || s.out.carrying()) {
            return;
        }
        s.opaque = true;
        s.dedicated.becomeOpaque();
        s.journal.release();
        s.updateClientReads();
    }

    /** The session's own connection is no longer needed: back to the pool (clean) or closed. */
    void maybeReleaseDedicated() {
        if (s.dedicated == null || s.pins != 0 || s.stream || s.inTx || s.watching || s.journal.sent() > 0 || s.journal.partialBytes() > 0
                || s.opaqueAfterSend || !s.change.attached() || s.login != null || s.state.txOpen()) {
            return;
        }
        NodeLink d = s.dedicated;
        s.dedicated = null;
        s.link = null;
        if (s.dedicatedNamed) {
            d.sendOwn(NodeLink.Step.tolerated(Resp.command("CLIENT", "SETNAME", "")));  // nameless for the next
            d.flushSoon();
        }
        s.pool.release(d, s.dedicatedAnyDb ? d.identity() : s.identity, !s.state.any());
        s.dedicatedNamed = false;
    }
}
