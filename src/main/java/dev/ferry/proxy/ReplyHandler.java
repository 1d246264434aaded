package dev.ferry.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOutboundBuffer;

/**
 * A session's replies from its node connections: passed on in order, or held back from a refusal as by a
 * replica (the commands run again elsewhere), or streamed whole (Pub/Sub); and what each reply tells
 * about the session (its identity, its transaction, its name) once it reached the client.
 */
final class ReplyHandler {
    private final ClientSession s;

    ReplyHandler(ClientSession s) {
        this.s = s;
    }

    /** One whole reply (its start may have come in an earlier read) to the oldest unanswered command. */
    void nodeReply(NodeLink from, ByteBuf buf, int start, int end, int kind) {
        if (s.closed || (from != s.link && from != s.dedicated)) return;  // a connection the session has left
        if (s.stream) {
            ByteBuf c = s.out.takeCarry();
            if (c != null) s.out.write(c);
            s.out.forward(buf, start, end);
            return;
        }
        if (kind == ReplyScanner.PUSH) {
            s.out.forward(buf, start, end);  // a RESP3 push (invalidation): travels with the replies
            return;
        }
        if (s.journal.sent() <= s.change.heldCount()) {
            // A reply to no command: pass it on; the streams no longer line up, so the session ends.
            s.out.forward(buf, start, end);
            s.desync = true;
            return;
        }
        int f = s.journal.flags(s.change.heldCount());
        if (s.change.holding()) {
            boolean again = mayRunAgain(f, kind) || kind == ReplyScanner.OK && (f & CommandTable.READ) != 0 && (f & CommandTable.IN_TX) == 0
                    || (f & CommandTable.IN_TX) != 0 && s.state.txReplayable();
            s.out.flushRun();
            s.change.hold(s.out.takeCarry(), kind, again);
            if (end > start) s.change.holdBytes(buf.retainedSlice(start, end - start));
            afterReply();
            return;
        }
        if (mayRunAgain(f, kind) && s.login == null && !passesRefusals()) {
            s.out.flushRun();
            s.change.refused(from.node, kind);
            ByteBuf c = s.out.takeCarry();
            if (c != null) s.change.holdBytes(c);
            if (end > start) s.change.holdBytes(buf.retainedSlice(start, end - start));
            s.timers.startMove();
            s.up.router.staleMaster(from.node);
            afterReply();
            return;
        }
        ByteBuf c = s.out.takeCarry();
        if ((f & CommandTable.REPLY_NULL) != 0 && kind == ReplyScanner.OK) {
            if (c != null) c.release();
            s.out.write((s.identity.proto() == 3 ? Resp.NULL3 : Resp.NULL_ARRAY2).duplicate());
        } else {
            if (c != null) s.out.write(c);
            s.out.forward(buf, start, end);
        }
        passedOn(f, kind);
        afterReply();
    }

    /**
     * Not executed, may run again on the new master: -READONLY (or -UNBLOCKED for a blocking pop) outside a
     * transaction; inside one, a refused queued command or an EXEC aborted because the node is now a replica,
     * when the transaction is kept for replay.
     */
    boolean mayRunAgain(int flags, int kind) {
        if ((flags & CommandTable.IN_TX) != 0) {
            return s.state.txReplayable() && (kind == ReplyScanner.READONLY || kind == ReplyScanner.EXECABORT_REPLICA);
        }
        return kind == ReplyScanner.READONLY || (kind == ReplyScanner.UNBLOCKED && (flags & CommandTable.BLOCKING) != 0);
    }

    /** The route passes refusals on: the frontend's only server, or a replica frontend (-READONLY is the client's). */
    boolean passesRefusals() {
        if (s.up.config.readsFromReplicas()) return true;
        Router.Route r = s.up.router.route(s.node);
        return r != null && r.passesRefusals();
    }

    /** The oldest command's reply reached the client: note what it changed, and forget it. */
    void passedOn(int f, int kind) {
        if (s.login != null) {
            if (kind == ReplyScanner.OK) accept(s.login);
            s.login = null;
        } else if ((f & CommandTable.IDENTITY) != 0 && kind == ReplyScanner.OK && (f & CommandTable.IN_TX) == 0) {
            Login lg = Login.of(f, s.args(0), s.identity);  // sent on a dedicated connection as the client wrote it
            if (lg != null && lg.refusal() == null) accept(lg);
        } else if ((f & CommandTable.SELECT) != 0 && kind == ReplyScanner.OK && (f & CommandTable.IN_TX) != 0) {
            Login lg = Login.of(f, s.args(0), s.identity);  // queued: the connection changes database when EXEC runs it
            if (lg != null && lg.refusal() == null) s.selectInTx = lg.target().db();
        } else if ((f & CommandTable.SETNAME) != 0 && kind == ReplyScanner.OK && (f & CommandTable.IN_TX) == 0) {
            byte[] n = s.args(0).get(2);
            s.name = n.length == 0 ? null : n;
        }
        if ((f & CommandTable.RESET) != 0 && kind == ReplyScanner.OK) {
            s.identity = Identity.INITIAL;
            s.name = null;
            s.inTx = s.watching = s.watchBroken = false;
            s.pins &= ~(ClientSession.PIN_CONN | ClientSession.PIN_DESCRIBE | ClientSession.PIN_WAIT);
            s.state.reset();
        }
        if ((f & CommandTable.EXEC) != 0) {
            s.inTx = s.watching = s.watchBroken = false;
            s.state.txEnded();
        } else if ((f & CommandTable.IN_TX) != 0) {
            s.state.queued(s.journal.copy(0));  // MULTI's +OK or a +QUEUED: the client has it; kept for a replay
        }
        if ((f & CommandTable.PAUSE) != 0 && kind == ReplyScanner.OK) {
            if ((f & CommandTable.IN_TX) == 0) s.up.pause.accepted(s.args(0));
            else s.pauseInTx = s.args(0);  // queued: it pauses once EXEC runs it
        }
        if ((f & CommandTable.EXEC) != 0 && (s.pauseInTx != null || s.selectInTx >= 0)) {
            if (kind == ReplyScanner.OK && Resp.is(s.args(0).get(0), "EXEC")) {
                if (s.pauseInTx != null) s.up.pause.accepted(s.pauseInTx);
                if (s.selectInTx >= 0) s.identity = s.identity.withDb(s.selectInTx);
            }
            s.pauseInTx = null;
            s.selectInTx = -1;
        }
        if ((f & CommandTable.UNWATCH) != 0) s.watching = s.watchBroken = false;
        if ((f & CommandTable.QUIT) != 0) s.quitting = true;
        s.journal.removeOldest();
    }

    void accept(Login lg) {
        s.identity = lg.target();
        if (lg.user() != null) s.up.logins.accepted(lg.user(), lg.password());
        if (lg.name() != null) s.name = lg.name().length == 0 ? null : lg.name();
    }

    /** The start of a reply still arriving. */
    void nodePartial(NodeLink from, ByteBuf buf, int start, int end, boolean insideTopLevelError) {
        if (s.closed || end <= start || (from != s.link && from != s.dedicated)) return;
        if (s.change.holding()) {
            s.out.flushRun();
            s.change.holdBytes(buf.retainedSlice(start, end - start));
        } else if (insideTopLevelError || s.stream) {
            // An error may be a refusal, not for the client; a message must not be cut in two by a move.
            s.out.flushRun();
            s.out.carry(buf, start, end);
        } else {
            s.out.forward(buf, start, end);
        }
    }

    /** A node's bytes in opaque mode: passed on as they come. */
    void rawFromNode(ByteBuf buf) {
        if (s.closed) {
            buf.release();
            return;
        }
        s.client.write(buf, s.client.voidPromise());
        s.flushSoon();
    }

    /** A node connection's read had replies for this session: they leave (this loop turn), then react. */
    void endOfNodeRead(NodeLink from, ByteBuf buf) {
        s.out.endOfRead(buf);
        if (s.closed) return;
        s.flushSoon();
        if (s.desync) {
            ClientSession.log.warn("[{}] {} sent a reply to no command of client {}; closing that client session", s.up.config.name(),
                    from.node, s.client.remoteAddress());
            s.moves.cut();
            return;
        }
        if (s.quitting && s.journal.sent() == 0 && !s.stream) {
            NodeConnections.flushAndClose(s.client);
            return;
        }
        if (from.shared && outputOverLimit()) return;
        s.sender.pump();
        s.updateClientReads();
    }

    /** Replies piling up for a client that does not read them: over the limit, that client is closed. */
    boolean outputOverLimit() {
        ChannelOutboundBuffer ob = s.client.unsafe().outboundBuffer();
        if (ob == null || ob.totalPendingWriteBytes() <= s.up.config.clientOutputLimit()) return false;
        ClientSession.log.warn("[{}] client {} let more than {} bytes of replies pile up unread; closing it", s.up.config.name(),
                s.client.remoteAddress(), s.up.config.clientOutputLimit());
        s.stats().outputLimitCloses.increment();
        s.closed = true;  // once: more reads may come for it before the close completes
        s.client.close();
        return true;
    }

    void afterReply() {
        int unanswered = s.journal.sent() - s.change.heldCount();
        if (!s.change.attached()) s.moves.act(s.change.answered(unanswered));
        if (!s.closed) {
            s.sender.maybeReleaseDedicated();
            s.sender.maybeBecomeOpaque();
        }
    }
}
