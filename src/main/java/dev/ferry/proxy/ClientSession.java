package dev.ferry.proxy;

import dev.ferry.config.ConnectionPolicy;
import dev.ferry.config.HostPort;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection. Its commands are scanned as they arrive and kept until answered
 * ({@link CommandJournal}); each goes where {@link CommandTable} says: plain commands onto the shared
 * connection of the session's identity (pipelined with other sessions' commands), the few Ferry answers
 * itself (CLIENT SETNAME/GETNAME, QUIT, RESET) in their turn, AUTH/HELLO/SELECT to a connection of the
 * identity they ask for, and anything that creates connection state onto a connection of the session's
 * own for as long as that state lasts. A session has commands in flight on one connection at a time, so
 * they run in the order it sent them. At a change of master ({@link MasterChange}) the session moves with
 * its identity and its connection state ({@link ConnectionState}: subscriptions, tracking, an open
 * transaction...). Waits are {@link SessionTimers}; replies leave through {@link ReplyForwarder}.
 * Everything runs on the client's event loop.
 */
final class ClientSession extends ChannelInboundHandlerAdapter implements RequestScanner.Sink, FlushBatcher.Target {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    /** A command still arriving past this size is streamed to a dedicated connection instead of buffered. */
    static final long STREAM_AT = 1024 * 1024;

    // Why the session keeps a connection of its own beyond the commands in flight (any bit: it keeps it).
    private static final int PIN_POLICY = 1;  // connections: dedicated
    private static final int PIN_CONN = 1 << 1;  // CLIENT TRACKING, NO-EVICT, NO-TOUCH, CACHING: until RESET
    private static final int PIN_OPAQUE = 1 << 2;  // bytes not RESP, SYNC, SCRIPT DEBUG: for good, cut at a change
    private static final int PIN_DESCRIBE = 1 << 3;  // CLIENT ID, INFO: until RESET
    private static final int PIN_WAIT = 1 << 4;  // WAIT: its writes and WAITs meet on one connection, as directly
    private static final int PIN_STREAM = 1 << 5;  // Pub/Sub, MONITOR, CLIENT REPLY OFF: until RESET
    /** Published before a WAIT on a connection of the session's own, so WAIT counts the session's earlier writes. */
    private static final byte[][] WAIT_MARKER = {"PUBLISH".getBytes(), "__ferry__:wait".getBytes(), new byte[0]};
    /** RESP3 invalidation with a null key list: the client drops its whole local cache. */
    private static final ByteBuf INVALIDATE_ALL = Unpooled.unreleasableBuffer(
            Unpooled.copiedBuffer(">2\r\n$10\r\ninvalidate\r\n_\r\n", StandardCharsets.US_ASCII).asReadOnly());

    final Upstream up;
    private LinkPool pool;
    private Channel client;
    private ReplyForwarder out;
    private final CommandJournal journal = new CommandJournal();
    private final RequestScanner requests = new RequestScanner();
    private final MasterChange change = new MasterChange();
    private final ConnectionState state = new ConnectionState();
    private final SessionTimers timers;

    private Identity identity = Identity.INITIAL;
    private byte[] name;
    private Login login;  // an AUTH/HELLO/SELECT in flight: nothing else is sent until it is answered

    /** Where the commands in flight went. */
    private NodeLink link;
    /** The session's own node connection, while it has one. */
    private NodeLink dedicated;
    private int pins;
    private boolean inTx;
    private boolean watching;
    /** Keys were watched when the session moved: its next EXEC is answered as aborted, never run. */
    private boolean watchBroken;
    private boolean scanInTx;
    /** Replies no longer one per command: they pass whole as they come, on the session's own connection. */
    private boolean stream;
    private boolean opaque;
    private boolean opaqueAfterSend;
    /** A CLIENT SETNAME went over the dedicated connection: not returned to the pool nameless. */
    private boolean dedicatedNamed;

    private HostPort node;
    private TrafficStats nodeStats;
    private boolean desync;

    /** The node connection whose current read has replies for this session (see NodeLink.touch). */
    NodeLink touchedBy;
    private boolean flushScheduled;
    private boolean clientReads;
    private boolean quitting;
    private boolean closed;

    ClientSession(Upstream up) {
        this.up = up;
        this.timers = new SessionTimers(this, up.config);
    }

    // ---- the client's side ------------------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = ctx.channel();
        out = new ReplyForwarder(client);
        pool = up.pool(client.eventLoop());
        stats().sessionsTotal.increment();
        stats().sessionsNow.increment();
        if (up.config.connections() == ConnectionPolicy.DEDICATED) pins = PIN_POLICY;
        updateClientReads();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        int n = buf.readableBytes();
        stats().bytesFromClients.add(n);
        if (nodeStats != null) nodeStats.bytesFromClients.add(n);
        if (opaque) {
            dedicated.channel().write(buf, dedicated.channel().voidPromise());
            dedicated.flushSoon();
            return;
        }
        if (n == 0 || closed) {
            buf.release();
            return;
        }
        journal.append(buf);
        buf.release();  // the journal keeps its own reference
        if (!opaqueAfterSend && !requests.scan(buf, this)) {
            // Not a request stream Ferry can follow: it goes as it is on a connection of its own, so that
            // Redis answers with its own protocol error and closes; this session never moves.
            log.debug("[{}] client {} sent bytes that are not RESP ({}); forwarding them unchanged on a connection of its own",
                    up.config.name(), client.remoteAddress(), requests.problem());
            opaqueAfterSend = true;
            pins |= PIN_OPAQUE;
        }
        if (journal.commands() == 0 && journal.bytes() >= up.config.clientInputLimit() && !opaqueAfterSend) {
            opaqueAfterSend = true;  // one huge command: streamed on a connection of its own, not kept
            pins |= PIN_OPAQUE;
        }
        pump();
        updateClientReads();
    }

    @Override
    public void command(long length, int flags) {
        if ((flags & CommandTable.MULTI) != 0) scanInTx = true;
        if (scanInTx) flags |= CommandTable.IN_TX;
        if ((flags & (CommandTable.EXEC | CommandTable.RESET)) != 0) scanInTx = false;
        int before = journal.sent();
        journal.record(length, flags);
        if (journal.sent() > before && dedicated != null) dedicated.sent(this, journal.sent() - before);  // streamed ahead
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = client.isWritable();
        if (dedicated != null && dedicated.channel() != null) dedicated.channel().config().setAutoRead(writable);
        if (writable) pump();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        stats().sessionsNow.decrement();
        timers.cancelAll();
        NodeLink d = dedicated;
        dedicated = null;
        if (d != null) d.close();
        if (link != null) link.stopAwaiting(this);
        link = null;
        detachFrom(null);
        journal.release();
        change.release();
        state.release();
        if (out != null) out.dropCarry();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("[{}] client {}: {}", up.config.name(), client.remoteAddress(), cause.toString());
        ctx.close();
    }

    private void updateClientReads() {
        if (closed) return;
        boolean reads;
        if (opaque) reads = dedicated != null && dedicated.isWritable();
        else reads = journal.bytes() < up.config.clientInputLimit() && (dedicated == null || dedicated.channel() == null || dedicated.isWritable());
        if (reads != clientReads) {
            clientReads = reads;
            client.config().setAutoRead(reads);
        }
    }

    // ---- sending ----------------------------------------------------------------------------------

    /** Sends whatever may go now; called whenever something that held commands back changes. */
    void pump() {
        while (!closed && !quitting && !opaque && login == null && change.attached()) {
            if (pins != 0 || dedicated != null || stream || inTx || watching) {
                sendDedicated();
                return;
            }
            if (journal.unsent() == 0) {
                if (journal.partialBytes() > STREAM_AT && journal.sent() == 0) takeDedicated();  // stream it, do not keep it all
                return;
            }
            int first = journal.sent();
            int f = journal.flags(first);
            if (shareable(f) || wholeTransaction(first) > 0) {
                if (!sendShared(first)) return;
                continue;
            }
            if (journal.sent() > 0) return;  // the rest waits until what is in flight is answered
            if ((f & (CommandTable.SETNAME | CommandTable.GETNAME | CommandTable.RESET | CommandTable.QUIT)) != 0) {
                answerHere(f);
                continue;
            }
            if ((f & CommandTable.IDENTITY) != 0 && (f & CommandTable.INLINE) == 0) {
                loginOrPlain(f);
                return;
            }
            pins |= pinsFor(f);
            takeDedicated();
            return;
        }
    }

    private boolean shareable(int f) {
        if ((f & CommandTable.NOT_SHARED) != 0) return false;
        return identity.user() != null || (f & CommandTable.UNAUTH_LIMIT) == 0;
    }

    /**
     * MULTI ... EXEC all read already, nothing in it that needs a connection of its own: the whole block
     * goes onto the shared connection in one write, where no other session's command can come between.
     * Returns how many commands that is, or 0.
     */
    private int wholeTransaction(int first) {
        int f0 = journal.flags(first);
        if ((f0 & CommandTable.MULTI) == 0 || (f0 & CommandTable.NOT_SHARED & ~CommandTable.MULTI) != 0 || watchBroken) return 0;
        if (identity.user() == null && (f0 & CommandTable.UNAUTH_LIMIT) != 0) return 0;
        for (int k = first + 1; k < journal.commands(); k++) {
            int f = journal.flags(k);
            if ((f & CommandTable.EXEC) != 0) return k - first + 1;
            if (!shareable(f)) return 0;
        }
        return 0;
    }

    /** The run of commands from {@code first} that may go together onto the shared connection. */
    private int sharedRun(int first) {
        int end = journal.commands();
        int k = first;
        while (k < end) {
            int f = journal.flags(k);
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
    private boolean sendShared(int first) {
        Router.Route r = usableRoute();
        if (r == null) return false;
        NodeLink l = pool.shared(r.node(), identity);
        if (link != null && link != l && journal.sent() > 0) return false;  // replies from the last connection first
        if (l == null) l = pool.openShared(r.node(), identity, null, 0);
        if (!l.ready() || !l.isWritable() || !client.isWritable()) {
            l.await(this);
            return false;
        }
        int k = sharedRun(first);
        journal.writeNext(l.channel(), k);
        l.sent(this, k);
        l.flushSoon();
        link = l;
        attachTo(l.node);
        stats().commandsShared.add(k);
        return true;
    }

    /** The route to send to now, or null (after arranging to be called again when there is one). */
    private Router.Route usableRoute() {
        Router.Route r = up.router.route(node);
        if (r != null && change.refusedBy() != null && !r.node().equals(change.refusedBy())) change.routeMovedOn();
        if (r == null || r.node().equals(change.refusedBy())) {
            timers.waitForRoute(journal.unsent() > 0, r);
            return null;
        }
        timers.routed();
        if (link != null && !link.node.equals(r.node()) && journal.sent() > 0) return null;  // settling elsewhere
        return r;
    }

    /** Takes a connection of the session's own (the next command needs one), then sends on it. */
    private void takeDedicated() {
        if (dedicated == null) {
            if (journal.sent() > 0) return;  // drain the shared connection first
            Router.Route r = usableRoute();
            if (r == null) return;
            // It carries the session's name, so CLIENT LIST/INFO show it; one opened at a move also carries
            // the state the session had set up on the old one.
            dedicated = pool.dedicated(r.node(), identity, name, state.steps(), this);
            dedicatedNamed = name != null;
            link = dedicated;
            attachTo(r.node());
            if (dedicated.channel() != null) dedicated.channel().config().setAutoRead(client.isWritable());
        }
        sendDedicated();
    }

    private void sendDedicated() {
        NodeLink d = dedicated;
        if (d == null) {
            takeDedicated();
            return;
        }
        if (!d.ready() || !d.isWritable()) return;  // linkReady / linkWritable call again
        Router.Route r = usableRoute();
        if (r == null || !r.node().equals(d.node)) return;  // not the route now: the router's move comes
        if (stream) {
            sendStream(d);
            return;
        }
        int before = journal.sent();
        if (journal.unsent() > 0) {
            int f = journal.flags(before);
            if ((f & CommandTable.STREAM) != 0 && !replyOn(before)) {
                if (before > 0) return;  // the replies before it are matched first; from it on they stream
                stream = true;
                pins |= PIN_STREAM;
                sendStream(d);
                return;
            }
            if ((f & CommandTable.WAIT) != 0) {
                // WAIT counts this connection's own last write: a propagated marker here first makes that at
                // least every write the session made, wherever it went (replies to everything before are in).
                if (before > 0) return;
                d.sendOwn(NodeLink.Step.tolerated(Resp.command(WAIT_MARKER)));
            }
        }
        int n = sendTracked(d);
        d.flushSoon();
        link = d;
        stats().commandsDedicated.add(n);
        maybeBecomeOpaque();
    }

    /** Writes the unsent commands on the session's own connection, replies matched one per command. */
    private int sendTracked(NodeLink d) {
        int sent = 0;
        boolean tx = inTx;
        while (journal.unsent() > 0) {
            int before = journal.sent();
            int k = 0;
            while (k < journal.unsent()) {
                int f = journal.flags(before + k);
                if ((f & CommandTable.MULTI) != 0) tx = true;
                if ((f & CommandTable.EXEC) != 0 && watchBroken && tx) break;
                if ((f & (CommandTable.STREAM | CommandTable.WAIT)) != 0 && sent + k > 0) return sent;  // on their own turn
                k++;
            }
            if (k == 0) {
                // An EXEC whose WATCH could not move: the transaction must not run. It goes as DISCARD, and
                // the client gets the null of an aborted EXEC.
                d.channel().write(Resp.command("DISCARD"), d.channel().voidPromise());
                journal.setFlags(before, journal.flags(before) | CommandTable.REPLY_NULL);
                journal.skipNext(1);
                d.sent(this, 1);
                sent++;
                tx = false;
                continue;
            }
            for (int i = before; i < before + k; i++) noteSentOnDedicated(journal.flags(i), i);
            journal.writeNext(d.channel(), k);
            d.sent(this, k);
            sent += k;
        }
        if (journal.unsent() == 0 && journal.partialBytes() > 0 && ((pins & (PIN_POLICY | PIN_OPAQUE)) != 0
                || journal.partialBytes() > STREAM_AT)) {
            journal.writeAllUnsent(d.channel());  // the start of a command still arriving, streamed as it comes
        }
        return sent;
    }

    /** CLIENT REPLY ON turns nothing into a stream. */
    private boolean replyOn(int k) {
        List<byte[]> a = args(k);
        return a.size() >= 3 && Resp.is(a.get(0), "CLIENT") && Resp.is(a.get(2), "ON");
    }

    /**
     * Pub/Sub, MONITOR, CLIENT REPLY OFF: the replies are not one per command any more, so each complete
     * command is sent and forgotten (what it subscribed to is noted, to be set up again at a move), and
     * the node's replies and messages pass whole as they come.
     */
    private void sendStream(NodeLink d) {
        int n = 0;
        while (journal.unsent() > 0) {
            int f = journal.flags(0);
            if ((f & CommandTable.RESET) != 0) {
                endStream();
                return;
            }
            if ((f & CommandTable.QUIT) != 0) quitting = true;  // Redis answers and closes; the client follows
            state.sent(args(0));
            journal.writeNext(d.channel(), 1);
            journal.removeOldest();
            n++;
        }
        d.flushSoon();
        link = d;
        stats().commandsDedicated.add(n);
        updateClientReads();
    }

    /** RESET in a stream: the session's own connection goes (with what it set up), and Ferry answers +RESET. */
    private void endStream() {
        NodeLink d = dedicated;
        dedicated = null;
        link = null;
        if (d != null) d.close();
        out.dropCarry();
        stream = false;
        pins &= PIN_POLICY;
        state.reset();
        identity = Identity.INITIAL;
        name = null;
        journal.skipNext(1);
        journal.removeOldest();
        out.write(Resp.RESET.duplicate());
        flushSoon();
        pump();
    }

    private void noteSentOnDedicated(int f, int k) {
        if ((f & CommandTable.SETNAME) != 0) dedicatedNamed = true;
        if ((f & CommandTable.MULTI) != 0) inTx = true;
        if ((f & CommandTable.WATCH) != 0) watching = true;
        if ((f & CommandTable.REPLAY) != 0) state.sent(args(k));
        pins |= pinsFor(f);
        if ((f & CommandTable.OPAQUE) != 0) opaqueAfterSend = true;
    }

    /** What a command ties to the session's own connection, beyond itself. */
    private static int pinsFor(int f) {
        return ((f & CommandTable.PIN) != 0 ? PIN_CONN : 0) | ((f & CommandTable.DESCRIBE) != 0 ? PIN_DESCRIBE : 0)
                | ((f & CommandTable.OPAQUE) != 0 ? PIN_OPAQUE : 0) | ((f & CommandTable.WAIT) != 0 ? PIN_WAIT : 0);
    }

    /** Everything is sent and nothing needs following any more: bytes pass as they come from now on. */
    private void maybeBecomeOpaque() {
        if (!opaqueAfterSend || opaque || dedicated == null || !dedicated.ready() || journal.unsentBytes() > 0
                || change.holding() || out.carrying()) {
            return;
        }
        opaque = true;
        dedicated.becomeOpaque();
        journal.release();
        updateClientReads();
    }

    /** The session's own connection is no longer needed: back to the pool (clean) or closed. */
    private void maybeReleaseDedicated() {
        if (dedicated == null || pins != 0 || stream || inTx || watching || journal.sent() > 0 || journal.partialBytes() > 0
                || opaqueAfterSend || !change.attached() || login != null || state.txOpen()) {
            return;
        }
        NodeLink d = dedicated;
        dedicated = null;
        link = null;
        if (dedicatedNamed) {
            d.sendOwn(NodeLink.Step.tolerated(Resp.command("CLIENT", "SETNAME", "")));  // nameless for the next
            d.flushSoon();
        }
        pool.release(d, identity, !state.any());
        dedicatedNamed = false;
    }

    // ---- commands Ferry answers itself ------------------------------------------------------------

    private void answerHere(int f) {
        ByteBuf reply;
        if ((f & CommandTable.SETNAME) != 0) {
            byte[] n = args(journal.sent()).get(2);
            if (Login.validName(n)) {
                name = n.length == 0 ? null : n;
                reply = Resp.OK.duplicate();
            } else {
                reply = Resp.error(Login.BAD_NAME);
            }
        } else if ((f & CommandTable.GETNAME) != 0) {
            reply = name != null ? Resp.bulk(name) : (identity.proto() == 3 ? Resp.NULL3 : Resp.NULL2).duplicate();
        } else if ((f & CommandTable.RESET) != 0) {
            identity = Identity.INITIAL;
            name = null;
            watchBroken = false;
            state.reset();
            reply = Resp.RESET.duplicate();
        } else {
            quitting = true;
            reply = Resp.OK.duplicate();
        }
        journal.skipNext(1);
        journal.removeOldest();
        stats().commandsLocal.increment();
        out.write(reply);
        if (quitting) {
            NodeConnections.flushAndClose(client);
        } else {
            flushSoon();
        }
    }

    /** AUTH, HELLO or SELECT: to a connection of the identity it asks for, where Redis judges it. */
    private void loginOrPlain(int f) {
        Login lg = Login.of(f, args(0), identity);
        if (lg != null && lg.refusal() != null) {
            journal.skipNext(1);
            journal.removeOldest();
            out.write(Resp.error(lg.refusal()));
            flushSoon();
            pump();
            return;
        }
        Router.Route r = usableRoute();
        if (r == null) return;
        if (lg == null || lg.changesNothing(identity)) {
            // Redis refuses it without changing anything, or it changes nothing: any connection of this identity.
            NodeLink l = pool.shared(r.node(), identity);
            if (l == null) l = pool.openShared(r.node(), identity, null, 0);
            if (!l.ready()) {
                l.await(this);
                return;
            }
            login = lg != null ? lg : new Login(identity, 0, null, null, null, null, null);
            writeLogin(l);
            return;
        }
        NodeLink l = pool.shared(r.node(), lg.target());
        login = lg;
        if (l == null) {
            // No connection of that identity yet: open one whose first client command is this one.
            link = pool.openShared(r.node(), lg.target(), this, lg.covers());
            attachTo(r.node());
            return;
        }
        if (!l.ready()) {
            login = null;
            l.await(this);
            return;
        }
        writeLogin(l);
    }

    /** The link opened for this session's login is ready for it. */
    void loginNow(NodeLink l) {
        if (closed || login == null) {
            l.close();
            return;
        }
        writeLogin(l);
    }

    private void writeLogin(NodeLink l) {
        if (login.send() != null) {
            l.channel().write(login.send(), l.channel().voidPromise());
            journal.skipNext(1);
        } else {
            journal.writeNext(l.channel(), 1);
        }
        l.sent(this, 1);
        l.flushSoon();
        link = l;
        attachTo(l.node);
        stats().commandsShared.increment();
    }

    private List<byte[]> args(int k) {
        ByteBuf b = journal.copy(k);
        try {
            return Resp.args(b);
        } finally {
            b.release();
        }
    }

    // ---- the node's replies -----------------------------------------------------------------------

    /** One whole reply (its start may have come in an earlier read) to the oldest unanswered command. */
    void nodeReply(NodeLink from, ByteBuf buf, int start, int end, int kind) {
        if (closed || (from != link && from != dedicated)) return;  // a connection the session has left
        if (stream) {
            ByteBuf c = out.takeCarry();
            if (c != null) out.write(c);
            out.forward(buf, start, end);
            return;
        }
        if (kind == ReplyScanner.PUSH) {
            out.forward(buf, start, end);  // a RESP3 push (invalidation): travels with the replies
            return;
        }
        if (journal.sent() <= change.heldCount()) {
            // A reply to no command: pass it on; the streams no longer line up, so the session ends.
            out.forward(buf, start, end);
            desync = true;
            return;
        }
        int f = journal.flags(change.heldCount());
        if (change.holding()) {
            boolean again = mayRunAgain(f, kind) || kind == ReplyScanner.OK && (f & CommandTable.READ) != 0 && (f & CommandTable.IN_TX) == 0
                    || (f & CommandTable.IN_TX) != 0 && state.txReplayable();
            out.flushRun();
            change.hold(out.takeCarry(), kind, again);
            if (end > start) change.holdBytes(buf.retainedSlice(start, end - start));
            afterReply();
            return;
        }
        if (mayRunAgain(f, kind) && login == null && !soleServer()) {
            out.flushRun();
            change.refused(from.node, kind);
            ByteBuf c = out.takeCarry();
            if (c != null) change.holdBytes(c);
            if (end > start) change.holdBytes(buf.retainedSlice(start, end - start));
            timers.startMove();
            up.router.staleMaster(from.node);
            afterReply();
            return;
        }
        ByteBuf c = out.takeCarry();
        if ((f & CommandTable.REPLY_NULL) != 0 && kind == ReplyScanner.OK) {
            if (c != null) c.release();
            out.write((identity.proto() == 3 ? Resp.NULL3 : Resp.NULL_ARRAY2).duplicate());
        } else {
            if (c != null) out.write(c);
            out.forward(buf, start, end);
        }
        passedOn(f, kind);
        afterReply();
    }

    /**
     * Not executed, may run again on the new master: -READONLY (or -UNBLOCKED for a blocking pop) outside a
     * transaction; inside one, a refused queued command or an EXEC aborted because the node is now a replica,
     * when the transaction is kept for replay.
     */
    private boolean mayRunAgain(int flags, int kind) {
        if ((flags & CommandTable.IN_TX) != 0) {
            return state.txReplayable() && (kind == ReplyScanner.READONLY || kind == ReplyScanner.EXECABORT_REPLICA);
        }
        return kind == ReplyScanner.READONLY || (kind == ReplyScanner.UNBLOCKED && (flags & CommandTable.BLOCKING) != 0);
    }

    /** The frontend's only server is the route: nowhere else to send a refused command again. */
    private boolean soleServer() {
        Router.Route r = up.router.route(node);
        return r != null && r.sole();
    }

    /** The oldest command's reply reached the client: note what it changed, and forget it. */
    private void passedOn(int f, int kind) {
        if (login != null) {
            if (kind == ReplyScanner.OK) accept(login);
            login = null;
        } else if ((f & CommandTable.IDENTITY) != 0 && kind == ReplyScanner.OK && (f & CommandTable.IN_TX) == 0) {
            Login lg = Login.of(f, args(0), identity);  // sent on a dedicated connection as the client wrote it
            if (lg != null && lg.refusal() == null) accept(lg);
        } else if ((f & CommandTable.SETNAME) != 0 && kind == ReplyScanner.OK && (f & CommandTable.IN_TX) == 0) {
            byte[] n = args(0).get(2);
            name = n.length == 0 ? null : n;
        }
        if ((f & CommandTable.RESET) != 0 && kind == ReplyScanner.OK) {
            identity = Identity.INITIAL;
            name = null;
            inTx = watching = watchBroken = false;
            pins &= ~(PIN_CONN | PIN_DESCRIBE | PIN_WAIT);
            state.reset();
        }
        if ((f & CommandTable.EXEC) != 0) {
            inTx = watching = watchBroken = false;
            state.txEnded();
        } else if ((f & CommandTable.IN_TX) != 0) {
            state.queued(journal.copy(0));  // MULTI's +OK or a +QUEUED: the client has it; kept for a replay
        }
        if ((f & CommandTable.UNWATCH) != 0) watching = watchBroken = false;
        if ((f & CommandTable.QUIT) != 0) quitting = true;
        journal.removeOldest();
    }

    private void accept(Login lg) {
        identity = lg.target();
        if (lg.user() != null) up.logins.accepted(lg.user(), lg.password());
        if (lg.name() != null) name = lg.name().length == 0 ? null : lg.name();
    }

    /** The start of a reply still arriving. */
    void nodePartial(NodeLink from, ByteBuf buf, int start, int end, boolean insideTopLevelError) {
        if (closed || end <= start || (from != link && from != dedicated)) return;
        if (change.holding()) {
            out.flushRun();
            change.holdBytes(buf.retainedSlice(start, end - start));
        } else if (insideTopLevelError || stream) {
            // An error may be a refusal, not for the client; a message must not be cut in two by a move.
            out.flushRun();
            out.carry(buf, start, end);
        } else {
            out.forward(buf, start, end);
        }
    }

    /** A node's bytes in opaque mode: passed on as they come. */
    void rawFromNode(ByteBuf buf) {
        if (closed) {
            buf.release();
            return;
        }
        client.write(buf, client.voidPromise());
        flushSoon();
    }

    /** A node connection's read had replies for this session: they leave (this loop turn), then react. */
    void endOfNodeRead(NodeLink from, ByteBuf buf) {
        out.endOfRead(buf);
        if (closed) return;
        flushSoon();
        if (desync) {
            log.warn("[{}] {} sent a reply to no command of client {}; closing that client session", up.config.name(),
                    from.node, client.remoteAddress());
            cut();
            return;
        }
        if (quitting && journal.sent() == 0 && !stream) {
            NodeConnections.flushAndClose(client);
            return;
        }
        if (from.shared && outputOverLimit()) return;
        pump();
        updateClientReads();
    }

    /** Replies piling up for a client that does not read them: over the limit, that client is closed. */
    private boolean outputOverLimit() {
        ChannelOutboundBuffer ob = client.unsafe().outboundBuffer();
        if (ob == null || ob.totalPendingWriteBytes() <= up.config.clientOutputLimit()) return false;
        log.warn("[{}] client {} let more than {} bytes of replies pile up unread; closing it", up.config.name(),
                client.remoteAddress(), up.config.clientOutputLimit());
        stats().outputLimitCloses.increment();
        closed = true;  // once: more reads may come for it before the close completes
        client.close();
        return true;
    }

    private void afterReply() {
        int unanswered = journal.sent() - change.heldCount();
        if (!change.attached()) act(change.answered(unanswered));
        if (!closed) {
            maybeReleaseDedicated();
            maybeBecomeOpaque();
        }
    }

    @Override
    public void flushNow() {
        flushScheduled = false;
        client.flush();
    }

    private void flushSoon() {
        if (!flushScheduled && !closed) {
            flushScheduled = true;
            FlushBatcher.add(this, client.eventLoop());
        }
    }

    // ---- events from node connections -------------------------------------------------------------

    void linkReady(NodeLink l) {
        if (!closed) pump();
    }

    void linkWritable(NodeLink l) {
        if (closed) return;
        updateClientReads();
        if (l.isWritable()) pump();
    }

    /** A connection this session waited for could not be made or set up. */
    void linkFailed(NodeLink l, String why) {
        if (closed) return;
        if (l == dedicated) {
            dedicated = null;
            if (link == l) link = null;
            if (state.any() || inTx || watching) {
                log.warn("[{}] client {}: cannot set its connection state up again on {} ({}); closing it", up.config.name(),
                        client.remoteAddress(), l.node, why);
                cut();
                return;
            }
        }
        if (link == l && journal.sent() == 0) link = null;
        if (login != null && link == null) login = null;
        // Nothing was sent on it: try again shortly; the wait timer bounds how long commands wait.
        timers.retrySoon();
    }

    /** The node connection closed under the session. */
    void linkClosed(NodeLink l) {
        if (closed || (l != link && l != dedicated)) return;
        if (l == dedicated) dedicated = null;
        link = null;
        if (opaque || opaqueAfterSend || quitting) {
            NodeConnections.flushAndClose(client);  // Redis's last bytes go first
            return;
        }
        if (!movable()) {
            cut();
            return;
        }
        act(change.closed(unanswered(), out.carrying() && !stream ? false : repeatableInFlight()));
    }

    /** The link's node stopped being the master. */
    void linkLeft(NodeLink l, boolean demoted) {
        if (closed || (l != link && l != dedicated)) return;
        if (opaque || opaqueAfterSend || !movable()) {
            cut();
            return;
        }
        if (l == dedicated && journal.sent() == 0 && !change.holding()) {
            dedicated = null;  // its own connection follows the master: a new one on the next command
            link = null;
            l.close();
        }
        Router.Route r = up.router.route(node);
        if (r != null && r.node().equals(l.node)) return;  // stale retirement: the node is master again
        int unanswered = unanswered();
        if (!demoted && unanswered > 0 && repeatableInFlight()) {
            act(MasterChange.Outcome.MOVE);  // reads and queued commands: nothing ran that matters; run them again
            return;
        }
        // A blocking pop waiting on an old master that may still take writes: it ends when that node is
        // demoted (Ferry fences it, Sentinel converts it: -UNBLOCKED, then it runs again on the new master)
        // or is served there; move-timeout bounds the wait.
        act(change.left(demoted || onlyBlockingInFlight(), unanswered));
        if (!closed && change.state() == MasterChange.State.LEAVING) timers.startMove();
    }

    /** Whether what the session set up can be set up again on a new connection. */
    private boolean movable() {
        return !state.trackingRedirects() && state.txReplayable();
    }

    private int unanswered() {
        return journal.sent() - change.heldCount() + (out.carrying() && !stream ? 1 : 0);
    }

    /** Every command in flight beyond the held ones may run again: reads, and commands queued in MULTI. */
    private boolean repeatableInFlight() {
        for (int k = change.heldCount(); k < journal.sent(); k++) {
            int f = journal.flags(k);
            boolean read = (f & CommandTable.READ) != 0 && (f & CommandTable.IN_TX) == 0;
            boolean queued = (f & CommandTable.IN_TX) != 0 && (f & CommandTable.EXEC) == 0 && state.txReplayable();
            if (!read && !queued) return false;
        }
        return true;
    }

    private boolean onlyBlockingInFlight() {
        for (int k = change.heldCount(); k < journal.sent(); k++) {
            int f = journal.flags(k);
            if ((f & CommandTable.BLOCKING) == 0 || (f & CommandTable.IN_TX) != 0) return false;
        }
        return journal.sent() > change.heldCount();
    }

    void moveTimedOut() {
        if (closed || change.attached()) return;
        MasterChange.Outcome o = change.timedOut();
        if (o == MasterChange.Outcome.CUT) {
            log.warn("[{}] {}: no reply to commands in flight {} ms after it stopped being master; closing the client session",
                    up.config.name(), node, up.config.moveTimeout().toMillis());
        }
        act(o);
    }

    private void act(MasterChange.Outcome o) {
        switch (o) {
            case WAIT -> { }
            case CUT -> cut();
            case MOVE -> moveOn();
            case PASS_HELD_AND_STAY -> {
                passHeldOn();
                timers.cancelMove();
                pump();
            }
            case PASS_HELD_AND_MOVE -> {
                passHeldOn();
                moveOn();
            }
        }
    }

    /** Gives up sending again: the client gets the replies the node gave. */
    private void passHeldOn() {
        for (ByteBuf b : change.takeHeldBytes()) out.write(b);
        for (int kind : change.takeHeldKinds()) passedOn(journal.oldestFlags(), kind);
        flushSoon();
    }

    /**
     * Leaves the node: what it refused (and anything not sent yet) goes to the next master, after the
     * session's connection state is set up there again; a transaction open on the old node is run again
     * up to where it was, and a WATCH that could not move makes the next EXEC an aborted one.
     */
    private void moveOn() {
        int again = journal.sent();
        Router.Route r = up.router.route(node);
        if (nodeStats != null) {
            if (again > 0) nodeStats.commandsResent.add(again);
            if (r == null || !r.node().equals(node)) nodeStats.sessionsMoved.increment();
            if (stream || state.any()) nodeStats.stateMoved.increment();
        }
        timers.cancelMove();
        NodeLink d = dedicated;
        dedicated = null;
        if (d != null) d.close();
        link = null;
        change.moved();
        journal.markNoneSent();
        if (stream) out.dropCarry();  // a message cut by the move: the client never saw its start
        if (watching) {
            watching = false;
            watchBroken = true;
        }
        if (state.txOpen()) inTx = true;
        if (state.tracking()) {
            out.write(INVALIDATE_ALL.duplicate());  // entries cached from the old master may be stale now
            if (nodeStats != null) nodeStats.cachesFlushed.increment();
        }
        detachFrom(null);
        flushSoon();
        pump();
        updateClientReads();
    }

    /** Closes the client: what was already passed on is flushed first. */
    private void cut() {
        out.flushRun();
        if (nodeStats != null) nodeStats.sessionsCut.increment();
        NodeLink d = dedicated;
        dedicated = null;
        if (d != null) d.close();
        NodeConnections.flushAndClose(client);
        closed = true;
    }

    // ---- waits ------------------------------------------------------------------------------------

    /** No master came within wait-for-master: each waiting command gets -MASTERDOWN; the session stays. */
    void waitTimedOut() {
        if (closed || journal.sent() > 0) return;
        int n = journal.unsent();
        if (n == 0) return;
        stats().waitTimeouts.add(n);
        ByteBuf err = NodeConnections.noMasterKnown(up.config);
        out.flushRun();
        for (int k = 0; k < n; k++) {
            out.write(err.retainedDuplicate());
            journal.skipNext(1);
            journal.removeOldest();
        }
        err.release();
        flushSoon();
        updateClientReads();
    }

    Channel client() {
        return client;
    }

    // ---- which node the session is on (for counters and the pool's retirements) -------------------

    private void attachTo(HostPort n) {
        if (n.equals(node)) return;
        detachFrom(n);
    }

    /** Now on {@code next} (null: on no node); counted per node, and known to the loop's pool for retirements. */
    private void detachFrom(HostPort next) {
        if (node != null) {
            nodeStats.sessionsNow.decrement();
            pool.detached(this, node);
        }
        node = next;
        nodeStats = next == null ? null : up.router.nodeStats(next);
        if (next != null) {
            nodeStats.sessionsNow.increment();
            nodeStats.sessionsTotal.increment();
            pool.attached(this, next);
        }
    }

    /**
     * The node this session is on stopped being the master. Sessions with commands in flight hear it from
     * the connection those went to; this is for the others: an idle session just leaves (its next command
     * goes to the new master), one whose last command was refused as by a replica now moves.
     */
    void nodeLeft(HostPort left, boolean demoted) {
        if (closed || !left.equals(node)) return;
        if (dedicated != null && dedicated.node.equals(left)) return;  // its own connection tells it
        if (journal.sent() - change.heldCount() > 0) return;  // the connection those are on tells it
        act(change.left(demoted || change.holding(), 0));
    }

    private TrafficStats stats() {
        return up.router.stats();
    }
}
