package dev.ferry.proxy;

import dev.ferry.config.ConnectionPolicy;
import dev.ferry.config.HostPort;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the Netty handler of the client's side and the state its parts share. Its
 * commands are scanned as they arrive and kept until answered
 * ({@link CommandJournal}); each goes where {@link CommandTable} says: plain commands onto the shared
 * connection of the session's identity (pipelined with other sessions' commands), the few Ferry answers
 * itself (CLIENT SETNAME/GETNAME, QUIT, RESET) in their turn, AUTH/HELLO/SELECT to a connection of the
 * identity they ask for, and anything that creates connection state onto a connection of the session's
 * own for as long as that state lasts. A session has commands in flight on one connection at a time, so
 * they run in the order it sent them. At a change of master ({@link MasterChange}) the session moves with
 * its identity and its connection state ({@link ConnectionState}: subscriptions, tracking, an open
 * transaction...). The parts: {@link CommandSender} (where each command goes), {@link IdentityCommands} (AUTH, HELLO,
 * SELECT, and what Ferry answers itself), {@link ReplyHandler}
 * (the replies), {@link SessionMoves} (changes of master and of connections), {@link SessionTimers}
 * (waits), {@link ReplyForwarder} (what leaves for the client). Everything runs on the client's event loop.
 */
final class ClientSession extends ChannelInboundHandlerAdapter implements RequestScanner.Sink, FlushBatcher.Target {
    static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    /** A command still arriving past this size is streamed to a dedicated connection instead of buffered. */
    static final long STREAM_AT = 1024 * 1024;

    // Why the session keeps a connection of its own beyond the commands in flight (any bit: it keeps it).
    static final int PIN_POLICY = 1;  // connections: dedicated
    static final int PIN_CONN = 1 << 1;  // CLIENT TRACKING, NO-EVICT, NO-TOUCH, CACHING: until RESET
    static final int PIN_OPAQUE = 1 << 2;  // bytes not RESP, SYNC, SCRIPT DEBUG: for good, cut at a change
    static final int PIN_DESCRIBE = 1 << 3;  // CLIENT ID, INFO: until RESET
    static final int PIN_WAIT = 1 << 4;  // WAIT: its writes and WAITs meet on one connection, as directly
    static final int PIN_STREAM = 1 << 5;  // Pub/Sub, MONITOR, CLIENT REPLY OFF: until RESET
    /** Published before a WAIT on a connection of the session's own, so WAIT counts the session's earlier writes. */
    static final byte[][] WAIT_MARKER = {"PUBLISH".getBytes(), "__ferry__:wait".getBytes(), new byte[0]};
    /** RESP3 invalidation with a null key list: the client drops its whole local cache. */
    static final ByteBuf INVALIDATE_ALL = Unpooled.unreleasableBuffer(
            Unpooled.copiedBuffer(">2\r\n$10\r\ninvalidate\r\n_\r\n", StandardCharsets.US_ASCII).asReadOnly());

    final Upstream up;
    LinkPool pool;
    Channel client;
    ReplyForwarder out;
    final CommandJournal journal = new CommandJournal();
    final RequestScanner requests = new RequestScanner();
    final MasterChange change = new MasterChange();
    final ConnectionState state = new ConnectionState();
    final SessionTimers timers;

    Identity identity = Identity.INITIAL;
    byte[] name;
    Login login;  // an AUTH/HELLO/SELECT in flight: nothing else is sent until it is answered

    /** Where the commands in flight went. */
    NodeLink link;
    /** The session's own node connection, while it has one. */
    NodeLink dedicated;
    int pins;
    boolean inTx;
    boolean watching;
    /** Keys were watched when the session moved: its next EXEC is answered as aborted, never run. */
    boolean watchBroken;
    boolean scanInTx;
    /** Replies no longer one per command: they pass whole as they come, on the session's own connection. */
    boolean stream;
    boolean opaque;
    boolean opaqueAfterSend;
    /** A CLIENT SETNAME went over the dedicated connection: not returned to the pool nameless. */
    boolean dedicatedNamed;
    /** The dedicated connection is one borrowed in database 0 without a name, for SCRIPT/FUNCTION KILL only. */
    boolean dedicatedAnyDb;
    /** The node closed the session's own connection while still the master: a crash, or a close meant for this client. */
    HostPort closedUnderOn;
    /** A CLIENT PAUSE queued in the open transaction. */
    List<byte[]> pauseInTx;
    /** The database a SELECT queued in the open transaction switches to at EXEC (-1: none). */
    int selectInTx = -1;

    HostPort node;
    TrafficStats nodeStats;
    boolean desync;

    /** The node connection whose current read has replies for thithis session (see NodeLink.touch). */
    NodeLink touchedBy;
    /** The node connection this session waits on to become ready or writable (listed there once). */
    NodeLink awaiting;
    boolean flushScheduled;
    boolean clientReads;
    boolean quitting;
    boolean closed;

    final CommandSender sender = new CommandSender(this);
    final ReplyHandler replies = new ReplyHandler(this);
    final SessionMoves moves = new SessionMoves(this);
    final IdentityCommands identityCommands = new IdentityCommands(this);

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
            // Redis answers with its own protocol error and closes; thithis session never moves.
            log.debug("[{}] client {} sent bytes that are not RESP ({}); forwarding them unchanged on a connection of its own",
                    up.config.name(), client.remoteAddress(), requests.problem());
            opaqueAfterSend = true;
            pins |= PIN_OPAQUE;
        }
        if (journal.commands() == 0 && journal.bytes() >= up.config.clientInputLimit() && !opaqueAfterSend) {
            opaqueAfterSend = true;  // one huge command: streamed on a connection of its own, not kept
            pins |= PIN_OPAQUE;
        }
        sender.pump();
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
        if (writable) sender.pump();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        stats().sessionsNow.decrement();
        timers.cancelAll();
        NodeLink d = dedicated;
        dedicated = null;
        if (d != null) {
            d.close();
            // A client that leaves while blocked takes its borrowed connection along: the spares stay full,
            // so the next blocking command or transaction does not wait for a connection to be set up.
            Router.Route r = up.router.route(d.node);
            if (r != null && r.node().equals(d.node) && !dedicatedAnyDb) pool.keepSpares(d.node, identity);
        }
        if (awaiting != null) awaiting.stopAwaiting(this);
        link = null;
        detachFrom(null);
        journal.release();
        change.release();
        state.release();
        if (out != null) out.dropCarry();
        up.left();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("[{}] client {}: {}", up.config.name(), client.remoteAddress(), cause.toString());
        ctx.close();
    }

    void updateClientReads() {
        if (closed) return;
        boolean reads;
        if (opaque) reads = dedicated != null && dedicated.isWritable();
        else reads = journal.bytes() < up.config.clientInputLimit() && (dedicated == null || dedicated.channel() == null || dedicated.isWritable());
        if (reads != clientReads) {
            clientReads = reads;
            client.config().setAutoRead(reads);
        }
    }

    /** The arguments of the k-th oldest unanswered command (for the few commands whose arguments matter). */
    List<byte[]> args(int k) {
        ByteBuf b = journal.copy(k);
        try {
            return Resp.args(b);
        } finally {
            b.release();
        }
    }

    @Override
    public void flushNow() {
        flushScheduled = false;
        client.flush();
    }

    void flushSoon() {
        if (!flushScheduled && !closed) {
            flushScheduled = true;
            FlushBatcher.add(this, client.eventLoop());
        }
    }

    Channel client() {
        return client;
    }

    // ---- which node the session is on (for counters and the pool's retirements) -------------------

    void attachTo(HostPort n) {
        if (n.equals(node)) return;
        detachFrom(n);
    }

    /** Now on {@code next} (null: on no node); counted per node, and known to the loop's pool for retirements. */
    void detachFrom(HostPort next) {
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

    TrafficStats stats() {
        return up.router.stats();
    }

    // ---- what node connections and timers call: the parts answer -------------------------------

    void pump() {
        sender.pump();
    }

    void loginNow(NodeLink l) {
        identityCommands.loginNow(l);
    }

    void nodeReply(NodeLink from, ByteBuf buf, int start, int end, int kind) {
        replies.nodeReply(from, buf, start, end, kind);
    }

    void nodePartial(NodeLink from, ByteBuf buf, int start, int end, boolean insideTopLevelError) {
        replies.nodePartial(from, buf, start, end, insideTopLevelError);
    }

    void rawFromNode(ByteBuf buf) {
        replies.rawFromNode(buf);
    }

    void endOfNodeRead(NodeLink from, ByteBuf buf) {
        replies.endOfNodeRead(from, buf);
    }

    void linkReady(NodeLink l) {
        moves.linkReady(l);
    }

    void linkWritable(NodeLink l) {
        moves.linkWritable(l);
    }

    void linkFailed(NodeLink l, String why) {
        moves.linkFailed(l, why);
    }

    void linkClosed(NodeLink l) {
        moves.linkClosed(l);
    }

    void linkLeft(NodeLink l, boolean demoted) {
        moves.linkLeft(l, demoted);
    }

    void nodeLeft(HostPort left, boolean demoted) {
        moves.nodeLeft(left, demoted);
    }

    void moveTimedOut() {
        moves.moveTimedOut();
    }

    void waitTimedOut() {
        moves.waitTimedOut();
    }
}
