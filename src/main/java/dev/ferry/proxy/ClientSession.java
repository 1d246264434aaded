package dev.ferry.proxy;

import dev.ferry.config.ConnectionPolicy;
import dev.ferry.config.HostPort;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection. Its commands are scanned as they arrive and kept until answered
 * ({@link CommandJournal}); each goes where {@link CommandTable} says: plain commands onto the shared
 * connection of the session's identity (pipelined with other sessions' commands), the few Ferry answers
 * itself (CLIENT SETNAME/GETNAME, QUIT, RESET) in their turn, AUTH/HELLO/SELECT to a connection of the
 * identity they ask for, and anything that creates connection state onto a dedicated connection for as
 * long as that state lasts. A session has commands in flight on one connection at a time, so its
 * commands run in the order it sent them. Changes of master follow {@link MasterChange}; waits and timers
 * are {@link SessionTimers}. Everything runs on the client's event loop.
 */
final class ClientSession extends ChannelInboundHandlerAdapter implements RequestScanner.Sink, FlushBatcher.Target {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    /** Unanswered client bytes kept per session; beyond it reads pause until replies drain. */
    static final long JOURNAL_LIMIT = 4L * 1024 * 1024;
    /** A command still arriving past this size is streamed to a dedicated connection instead of buffered. */
    static final long STREAM_AT = 1024 * 1024;

    // Why the session holds a dedicated connection beyond the command in flight (any bit: it keeps it).
    private static final int PIN_POLICY = 1;  // connections: dedicated
    private static final int PIN_CONN = 1 << 1;  // CLIENT TRACKING, NO-EVICT...: until RESET, cut at a change
    private static final int PIN_OPAQUE = 1 << 2;  // Pub/Sub, MONITOR, CLIENT REPLY, bytes not RESP: for good
    private static final int PIN_DESCRIBE = 1 << 3;  // CLIENT ID, INFO: until RESET, and it may move
    private static final int PIN_WAIT = 1 << 4;  // WAIT: its writes and WAITs on one connection, as directly
    /** Published before a WAIT on a connection of the session's own, so WAIT counts the session's earlier writes. */
    private static final byte[][] WAIT_MARKER = {"PUBLISH".getBytes(), "__ferry__:wait".getBytes(), new byte[0]};

    final Upstream up;
    private LinkPool pool;
    private Channel client;
    private final CommandJournal journal = new CommandJournal();
    private final RequestScanner requests = new RequestScanner();
    private final MasterChange change = new MasterChange();
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
    private boolean scanInTx;
    private boolean opaque;
    private boolean opaqueAfterSend;
    /** A CLIENT SETNAME went over the dedicated connection: not returned to the pool nameless. */
    private boolean dedicatedNamed;

    private HostPort node;
    private TrafficStats nodeStats;

    // Replies passed on within one read of a node connection: one slice per run, written at its end.
    private ByteBuf fwdBuf;
    private int fwdFrom;
    private int fwdTo;
    /** The start of a top-level error reply, kept until it is known whether it is a refusal. */
    private ByteBuf carry;
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
        if (journal.commands() == 0 && journal.bytes() >= JOURNAL_LIMIT && !opaqueAfterSend) {
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
        up.router.stopWaiting(timers.waiter());
        timers.stopWaiting();
        NodeLink d = dedicated;
        dedicated = null;
        if (d != null) d.close();
        if (link != null) link.stopAwaiting(this);
        link = null;
        detachFrom(null);
        journal.release();
        change.release();
        if (carry != null) carry.release();
        carry = null;
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
        else reads = journal.bytes() < JOURNAL_LIMIT && (dedicated == null || dedicated.channel() == null || dedicated.isWritable());
        if (reads != clientReads) {
            clientReads = reads;
            client.config().setAutoRead(reads);
        }
    }

    // ---- sending ----------------------------------------------------------------------------------

    /** Sends whatever may go now; called whenever something that held commands back changes. */
    void pump() {
        while (!closed && !quitting && !opaque && login == null && change.attached()) {
            if (pins != 0 || dedicated != null) {
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
        if ((journal.flags(first) & CommandTable.MULTI) == 0 || (journal.flags(first) & CommandTable.NOT_SHARED & ~CommandTable.MULTI) != 0) return 0;
        if (identity.user() == null && (journal.flags(first) & CommandTable.UNAUTH_LIMIT) != 0) return 0;
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

    /** Takes a dedicated connection (the next command needs one), then sends on it. */
    private void takeDedicated() {
        if (dedicated == null) {
            if (journal.sent() > 0) return;  // drain the shared connection first
            Router.Route r = usableRoute();
            if (r == null) return;
            // A connection held beyond one command carries the session's name, so CLIENT LIST/INFO show it.
            byte[] own = pins != 0 ? name : null;
            dedicated = pool.dedicated(r.node(), identity, own, this);
            dedicatedNamed = own != null;
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
        if (r == null || !r.node().equals(d.node)) return;  // not the master now: the router's move comes
        int before = journal.sent();
        if (journal.unsent() > 0 && (journal.flags(before) & CommandTable.WAIT) != 0) {
            // WAIT counts this connection's own last write: a propagated marker here first makes that at
            // least every write the session made, wherever it went (replies to everything before are in).
            if (before > 0) return;
            d.sendOwn(Resp.command(WAIT_MARKER));
        }
        boolean stream = (pins & (PIN_POLICY | PIN_OPAQUE)) != 0 || journal.partialBytes() > STREAM_AT;
        if (stream) journal.writeAllUnsent(d.channel());
        else journal.writeNext(d.channel(), journal.unsent());
        int n = journal.sent() - before;
        for (int k = before; k < journal.sent(); k++) noteSentOnDedicated(journal.flags(k));
        if (n > 0) d.sent(this, n);
        d.flushSoon();
        link = d;
        stats().commandsDedicated.add(n);
        maybeBecomeOpaque();
    }

    private void noteSentOnDedicated(int f) {
        if ((f & CommandTable.SETNAME) != 0) dedicatedNamed = true;
        if ((f & CommandTable.MULTI) != 0) inTx = true;
        if ((f & CommandTable.WATCH) != 0) watching = true;
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
                || change.holding() || carry != null) {
            return;
        }
        opaque = true;
        dedicated.becomeOpaque();
        journal.release();
        updateClientReads();
    }

    /** The dedicated connection is no longer needed: back to the pool (clean) or closed. */
    private void maybeReleaseDedicated() {
        if (dedicated == null || pins != 0 || inTx || watching || journal.sent() > 0 || journal.partialBytes() > 0
                || opaqueAfterSend || !change.attached() || login != null) {
            return;
        }
        NodeLink d = dedicated;
        dedicated = null;
        link = null;
        pool.release(d, identity, !dedicatedNamed);
        dedicatedNamed = false;
    }

    // ---- commands Ferry answers itself ------------------------------------------------------------

    private void answerHere(int f) {
        ByteBuf reply;
        if ((f & CommandTable.SETNAME) != 0) {
            List<byte[]> args = args(journal.sent());
            byte[] n = args.get(2);
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
            reply = Resp.RESET.duplicate();
        } else {
            quitting = true;
            reply = Resp.OK.duplicate();
        }
        journal.skipNext(1);
        journal.removeOldest();
        stats().commandsLocal.increment();
        emitForward();
        client.write(reply, client.voidPromise());
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
            emitForward();
            client.write(Resp.error(lg.refusal()), client.voidPromise());
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
            login = lg;
            if (lg == null) login = new Login(identity, 0, null, null, null, null, null);
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
        if (closed) return;
        if (kind == ReplyScanner.PUSH) {
            forward(buf, start, end);  // a RESP3 push on a dedicated connection: travels with the replies
            return;
        }
        if (journal.sent() <= change.heldCount()) {
            // A reply to no command: pass it on; the streams no longer line up, so the session ends.
            forward(buf, start, end);
            desync = true;
            return;
        }
        int f = journal.flags(change.heldCount());
        if (change.holding()) {
            emitForward();
            boolean again = mayRunAgain(f, kind) || kind == ReplyScanner.OK && (f & CommandTable.READ) != 0 && (f & CommandTable.IN_TX) == 0;
            change.hold(takeCarry(), kind, again);
            if (end > start) change.holdBytes(buf.retainedSlice(start, end - start));
            afterReply();
            return;
        }
        if (mayRunAgain(f, kind) && login == null) {
            emitForward();
            change.refused(from.node, kind);
            ByteBuf c = takeCarry();
            if (c != null) change.holdBytes(c);
            if (end > start) change.holdBytes(buf.retainedSlice(start, end - start));
            timers.startMove();
            up.router.staleMaster(from.node);
            afterReply();
            return;
        }
        ByteBuf c = takeCarry();
        if (c != null) {
            emitForward();
            client.write(c, client.voidPromise());
        }
        forward(buf, start, end);
        passedOn(f, kind);
        afterReply();
    }

    /** -READONLY (or -UNBLOCKED for a blocking pop) outside a transaction: not executed, may run again. */
    private static boolean mayRunAgain(int flags, int kind) {
        if ((flags & CommandTable.IN_TX) != 0) return false;
        return kind == ReplyScanner.READONLY || (kind == ReplyScanner.UNBLOCKED && (flags & CommandTable.BLOCKING) != 0);
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
            inTx = watching = false;
            pins &= ~(PIN_CONN | PIN_DESCRIBE);
        }
        if ((f & CommandTable.EXEC) != 0) inTx = watching = false;
        if ((f & CommandTable.UNWATCH) != 0) watching = false;
        if ((f & CommandTable.QUIT) != 0) quitting = true;
        journal.removeOldest();
    }

    private void accept(Login lg) {
        identity = lg.target();
        if (lg.user() != null) up.logins.accepted(lg.user(), lg.password());
        if (lg.name() != null) name = lg.name().length == 0 ? null : lg.name();
    }

    /** The start of a reply still arriving. */
    void nodePartial(NodeLink from, ByteBuf buf, int from0, int to, boolean insideTopLevelError) {
        if (closed || to <= from0) return;
        if (change.holding()) {
            emitForward();
            change.holdBytes(buf.retainedSlice(from0, to - from0));
        } else if (insideTopLevelError) {
            emitForward();
            if (carry == null) carry = Unpooled.buffer(64);
            carry.writeBytes(buf, from0, to - from0);
        } else {
            forward(buf, from0, to);
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

    private ByteBuf takeCarry() {
        ByteBuf c = carry;
        carry = null;
        return c;
    }

    private void forward(ByteBuf buf, int start, int end) {
        if (end <= start) return;
        if (fwdBuf == buf && fwdTo == start) {
            fwdTo = end;
            return;
        }
        emitForward();
        fwdBuf = buf;
        fwdFrom = start;
        fwdTo = end;
    }

    private void emitForward() {
        ByteBuf b = fwdBuf;
        if (b == null) return;
        fwdBuf = null;
        if (fwdFrom == b.readerIndex() && fwdTo == b.writerIndex()) {
            client.write(b.retain(), client.voidPromise());  // the node's whole read: no slice object
        } else {
            client.write(b.retainedSlice(fwdFrom, fwdTo - fwdFrom), client.voidPromise());
        }
    }

    /** A node connection's read had replies for this session: they leave (this loop turn), then react. */
    void endOfNodeRead(NodeLink from, ByteBuf buf) {
        if (fwdBuf == buf) emitForward();
        if (closed) return;
        flushSoon();
        if (desync) {
            log.warn("[{}] {} sent a reply to no command of client {}; closing that client session", up.config.name(),
                    from.node, client.remoteAddress());
            cut();
            return;
        }
        if (quitting && journal.sent() == 0) {
            NodeConnections.flushAndClose(client);
            return;
        }
        if (from.shared && outputOverLimit()) return;
        pump();
        updateClientReads();
    }

    /** Replies piling up for a client that does not read them: over the limit, that client is closed. */
    private boolean outputOverLimit() {
        ChannelOutboundBuffer out = client.unsafe().outboundBuffer();
        if (out == null || out.totalPendingWriteBytes() <= up.config.clientOutputLimit()) return false;
        log.warn("[{}] client {} let more than {} bytes of replies pile up unread; closing it", up.config.name(),
                client.remoteAddress(), up.config.clientOutputLimit());
        stats().outputLimitCloses.increment();
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
            if ((pins & ~PIN_POLICY) != 0 || inTx || watching) {
                cut();  // its state was to live on that connection
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
        if (closed) return;
        if (l != link && l != dedicated) return;
        if (l == dedicated) dedicated = null;
        link = null;
        if (opaque || opaqueAfterSend || (pins & (PIN_CONN | PIN_OPAQUE)) != 0 || inTx || watching || quitting) {
            NodeConnections.flushAndClose(client);  // its state was on that connection; Redis's last bytes go first
            return;
        }
        int unanswered = journal.sent() - change.heldCount() + (carry != null ? 1 : 0);
        act(change.closed(unanswered, carry == null && onlyReadsInFlight()));
    }

    /** Every command in flight (beyond the held ones) is a read outside a transaction: it may run again. */
    private boolean onlyReadsInFlight() {
        for (int k = change.heldCount(); k < journal.sent(); k++) {
            int f = journal.flags(k);
            if ((f & CommandTable.READ) == 0 || (f & CommandTable.IN_TX) != 0) return false;
        }
        return true;
    }

    /** The link's node stopped being the master. */
    void linkLeft(NodeLink l, boolean demoted) {
        if (closed || (l != link && l != dedicated)) return;
        if (opaque || opaqueAfterSend || (pins & (PIN_CONN | PIN_OPAQUE)) != 0 || inTx || watching) {
            cut();
            return;
        }
        if (l == dedicated && journal.sent() == 0) {
            dedicated = null;  // its policy connection follows the master: a new one on the next command
            link = null;
        }
        int unanswered = journal.sent() - change.heldCount() + (carry != null ? 1 : 0);
        Router.Route r = up.router.route(node);
        if (r != null && r.node().equals(l.node)) return;  // stale retirement: the node is master again
        act(change.left(demoted, unanswered));
        if (!closed && change.state() == MasterChange.State.LEAVING) timers.startMove();
    }

    void moveTimedOut() {
        if (closed) return;
        if (change.attached()) return;
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
        emitForward();
        for (ByteBuf b : change.takeHeldBytes()) client.write(b, client.voidPromise());
        for (int kind : change.takeHeldKinds()) passedOn(journal.oldestFlags(), kind);
        flushSoon();
    }

    /** Leaves the node; what it refused (and anything not sent yet) goes to the next master. */
    private void moveOn() {
        int again = journal.sent();
        Router.Route r = up.router.route(node);
        if (nodeStats != null) {
            if (again > 0) nodeStats.commandsResent.add(again);
            if (r == null || !r.node().equals(node)) nodeStats.sessionsMoved.increment();
        }
        timers.cancelMove();
        NodeLink d = dedicated;
        dedicated = null;
        if (d != null) d.close();
        link = null;
        change.moved();
        journal.markNoneSent();
        detachFrom(null);
        pump();
        updateClientReads();
    }

    /** Closes the client: what was already passed on is flushed first. */
    private void cut() {
        emitForward();
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
        emitForward();
        for (int k = 0; k < n; k++) {
            client.write(err.retainedDuplicate(), client.voidPromise());
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

    boolean isClosed() {
        return closed;
    }

    // ---- which node the session is on (for counters and the registry) ----------------------------

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
        int unanswered = journal.sent() - change.heldCount();
        if (unanswered > 0) return;  // the connection those are on tells it
        act(change.left(demoted || change.holding(), 0));
    }

    private TrafficStats stats() {
        return up.router.stats();
    }
}
