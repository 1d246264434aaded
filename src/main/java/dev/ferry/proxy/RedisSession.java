package dev.ferry.proxy;

import dev.ferry.config.FrontendConfig;
import dev.ferry.config.HostPort;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection in {@code mode: redis}: the client handler, and the owner of whichever node
 * connection currently serves it. Bytes are forwarded as they come (one flush per read burst), while
 * two scanners follow where each command and each reply ends. That is enough to:
 * <ul>
 *   <li>keep the session when the master changes: with no command in flight it moves to the new
 *       master, where the client's AUTH, HELLO, SELECT and CLIENT SETNAME are replayed first;</li>
 *   <li>send again, to the new master, a command the demoted master refused with {@code -READONLY}
 *       (it was not executed), with the reads pipelined behind it, so the client sees one slow reply
 *       instead of an error;</li>
 *   <li>let commands wait while no master is known (up to wait-for-master), then answer
 *       {@code -MASTERDOWN} for each.</li>
 * </ul>
 * What cannot move (MULTI, WATCH, Pub/Sub, MONITOR, CLIENT TRACKING or REPLY, a command in flight
 * to a node that may still acknowledge it) is cut exactly as in {@code mode: tcp}. Everything runs on
 * the client's event loop, node connections included, so no field here needs a lock.
 */
final class RedisSession extends ChannelInboundHandlerAdapter
        implements RoutedSession, RequestScanner.Sink, ReplyScanner.Sink {
    private static final Logger log = LoggerFactory.getLogger(RedisSession.class);
    /** Unanswered client bytes kept per session; beyond it reads pause until replies drain. */
    static final long JOURNAL_LIMIT = 4L * 1024 * 1024;

    private enum State {
        /** No node connection; one is made as soon as there is something to send. */
        DETACHED,
        /** Waiting for a route, or connecting to it. */
        CONNECTING,
        /** Commands go to the node as they arrive. */
        FORWARDING,
        /**
         * Nothing new goes to the node: it refused a write as a replica, or it is no longer the master;
         * the replies of the commands in flight are awaited before the session moves.
         */
        SETTLING
    }

    private final FrontendConfig config;
    private final Router router;
    private final Transport transport;
    private final CommandJournal journal = new CommandJournal();
    private final RequestScanner requests = new RequestScanner();
    private final ReplayState replay = new ReplayState();
    private ReplyScanner replies = new ReplyScanner();
    private Channel client;
    private Channel backend;
    private HostPort node;
    private TrafficStats nodeStats;
    private State state = State.DETACHED;
    private ScheduledFuture<?> timer;
    private Consumer<Router.Route> waiter;
    /** A node that refused writes as a replica: not connected to again until the router moves on. */
    private HostPort avoid;

    private boolean opaque;           // forwarded byte for byte from now on (see CommandTable.OPAQUE)
    private boolean opaqueAfterSend;  // becomes opaque once everything read so far is sent
    private boolean inTx;
    private boolean watching;
    private boolean held;             // the router holds the node's sessions while Sentinel promotes
    private boolean leaving;          // the router has moved on from the node
    private int swallow;              // replies to replayed state commands, not for the client

    // Replies held back from the first -READONLY on: dropped if the session moves, else passed on.
    private boolean holding;
    private int heldCount;
    private boolean heldAllAgain;
    private final List<ByteBuf> heldBytes = new ArrayList<>();
    private final List<Integer> heldKinds = new ArrayList<>();
    /** The start of a top-level error line, not passed on until it is known whether it is -READONLY. */
    private ByteBuf carry;

    // While one node read burst is scanned.
    private ByteBuf current;
    private int cursor;
    private int forwardFrom;
    private boolean replayRefused;
    private boolean unsolicited;
    private boolean clientReads;

    RedisSession(FrontendConfig config, Router router, Transport transport) {
        this.config = config;
        this.router = router;
        this.transport = transport;
    }

    // ---- client side ------------------------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = ctx.channel();
        router.stats().sessionsTotal.increment();
        router.stats().sessionsNow.increment();
        updateClientReads();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        int n = buf.readableBytes();
        router.stats().bytesFromClients.add(n);
        if (nodeStats != null) nodeStats.bytesFromClients.add(n);
        if (opaque) {
            backend.write(buf, backend.voidPromise());
            return;
        }
        if (n == 0) {
            buf.release();
            return;
        }
        journal.append(buf);
        if (!opaqueAfterSend && !requests.scan(buf, this)) {
            // Not a request stream Ferry can follow: pass it on as it is, so that Redis answers with its
            // own protocol error and closes, and keep this session out of any move.
            log.debug("[{}] client {} sent bytes that are not RESP ({}); forwarding them unchanged", config.name(),
                    client.remoteAddress(), requests.problem());
            opaqueAfterSend = true;
        }
        if (state == State.FORWARDING && !held) {
            backend.write(buf, backend.voidPromise());
            journal.markAllSent();
            if (journal.commands() == 0 && journal.bytes() >= JOURNAL_LIMIT) opaqueAfterSend = true;  // one huge command
            maybeBecomeOpaque();
        } else {
            buf.release();
            if (state == State.DETACHED) connectWhenRouted();
            startWaitTimer();
        }
        updateClientReads();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (backend != null && (state == State.FORWARDING || opaque)) backend.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (backend != null) backend.config().setAutoRead(client.isWritable());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        router.stats().sessionsNow.decrement();
        if (waiter != null && router.stopWaiting(waiter)) waiter = null;
        cancelTimer();
        Channel b = backend;
        detach();
        if (b != null) NodeConnections.flushAndClose(b);
        journal.release();
        replay.clear();
        dropHeld();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    @Override
    public void command(long length, int flags) {
        if ((flags & CommandTable.MULTI) != 0) inTx = true;
        if (inTx) flags |= CommandTable.IN_TX;
        if ((flags & CommandTable.WATCH) != 0) watching = true;
        if ((flags & CommandTable.OPAQUE) != 0) opaqueAfterSend = true;
        journal.record(length, flags);
    }

    private void updateClientReads() {
        boolean reads;
        if (opaque) reads = !held && backend != null && backend.isWritable();
        else if (state == State.FORWARDING && !held) reads = backend.isWritable() && journal.bytes() < JOURNAL_LIMIT;
        else reads = journal.bytes() < JOURNAL_LIMIT;  // commands may wait here, bounded
        if (reads != clientReads) {
            clientReads = reads;
            client.config().setAutoRead(reads);
        }
    }

    // ---- node side --------------------------------------------------------------------------------

    /** A node's bytes; late bytes of a node this session has left are dropped. */
    void nodeRead(Channel from, ByteBuf buf) {
        if (from != backend) {
            buf.release();
            return;
        }
        int n = buf.readableBytes();
        router.stats().bytesToClients.add(n);
        nodeStats.bytesToClients.add(n);
        if (opaque) {
            client.write(buf, client.voidPromise());
            return;
        }
        current = buf;
        int start = buf.readerIndex();
        cursor = forwardFrom = start;
        boolean readable = replies.scan(buf, this);
        int end = buf.writerIndex();
        current = null;
        if (holding) {
            holdRange(buf, forwardFrom, end);
        } else if (readable && replies.insideTopLevelError()) {
            forward(buf, forwardFrom, cursor);
            if (carry == null) carry = Unpooled.buffer(64);
            carry.writeBytes(buf, cursor, end - cursor);
        } else if (forwardFrom == start) {
            client.write(buf, client.voidPromise());  // the whole burst: hand it on, no slice, no extra reference
            buf = null;
        } else {
            forward(buf, forwardFrom, end);
        }
        if (buf != null) buf.release();
        if (!readable) {
            log.warn("[{}] node {} sent a reply Ferry cannot follow; closing the client session", config.name(), node);
            cut();
            return;
        }
        if (unsolicited) {
            log.warn("[{}] {} sent a reply to no command; closing the client session", config.name(), node);
            cut();
            return;
        }
        if (replayRefused) {
            log.warn("[{}] {} refused a client's connection state (AUTH, HELLO, SELECT or CLIENT SETNAME) replayed "
                    + "after a change of master; closing that client session", config.name(), node);
            cut();
            return;
        }
        settleIfAnswered();
        maybeBecomeOpaque();
    }

    @Override
    public void reply(int end, int kind) {
        int start = cursor;
        cursor = end;
        if (swallow > 0) {
            swallow--;
            if (kind != ReplyScanner.OK) replayRefused = true;
            if (carry != null) {
                carry.release();
                carry = null;
            }
            forward(current, forwardFrom, start);
            forwardFrom = end;
            return;
        }
        if (kind == ReplyScanner.PUSH) return;  // travels with the replies around it
        if (journal.sentCommands() <= (holding ? heldCount : 0)) {
            // A reply to no command (say "max number of clients reached" on connect): pass it on; the
            // streams no longer line up, so the session ends after this burst.
            unsolicited = true;
            return;
        }
        if (holding) {
            int f = journal.flags(heldCount);
            heldAllAgain &= mayRunAgain(f, kind) || (kind == ReplyScanner.OK && (f & CommandTable.READ) != 0
                    && (f & CommandTable.IN_TX) == 0);
            heldKinds.add(kind);
            heldCount++;
            return;
        }
        int f = journal.oldestFlags();
        if (mayRunAgain(f, kind)) {
            forward(current, forwardFrom, start);
            forwardFrom = start;
            holding = true;
            heldAllAgain = true;
            heldCount = 1;
            heldKinds.add(kind);
            if (carry != null) {  // this reply began in an earlier burst
                heldBytes.add(carry);
                carry = null;
            }
            avoid = node;
            if (state == State.FORWARDING) {
                state = State.SETTLING;
                startTimer(config.waitForMaster().toMillis());
            }
            router.staleMaster(node);
            return;
        }
        if (carry != null) {
            client.write(carry, client.voidPromise());
            carry = null;
        }
        passedOn(f, kind);
    }

    /** -READONLY (or -UNBLOCKED for a blocking pop) outside a transaction: not executed, may run again. */
    private static boolean mayRunAgain(int flags, int kind) {
        if ((flags & CommandTable.IN_TX) != 0) return false;
        return kind == ReplyScanner.READONLY || (kind == ReplyScanner.UNBLOCKED && (flags & CommandTable.BLOCKING) != 0);
    }

    /** The oldest command's reply reached the client: note the state it set, and forget it. */
    private void passedOn(int flags, int kind) {
        if (kind == ReplyScanner.OK) {
            int sets = flags & CommandTable.STATE;
            if (sets != 0) replay.accepted(sets, journal.copyOldest());
            if ((flags & CommandTable.RESET) != 0) {
                replay.clear();
                inTx = watching = false;
            }
        }
        if ((flags & CommandTable.EXEC) != 0) inTx = watching = false;
        if ((flags & CommandTable.UNWATCH) != 0) watching = false;
        journal.removeOldest();
    }

    private void forward(ByteBuf buf, int from, int to) {
        if (to > from) client.write(buf.retainedSlice(from, to - from), client.voidPromise());
    }

    private void holdRange(ByteBuf buf, int from, int to) {
        if (to > from) heldBytes.add(buf.retainedSlice(from, to - from));
    }

    void nodeReadComplete(Channel from) {
        if (from == backend) client.flush();
    }

    void nodeWritabilityChanged(Channel from) {
        if (from == backend) updateClientReads();
    }

    /** The node closed the connection (or was closed); a replaced node's close does not matter. */
    void nodeClosed(Channel from) {
        if (from != backend) return;
        if (opaque || pinned()) {
            NodeConnections.flushAndClose(client);
            return;
        }
        if (journal.sentCommands() > (holding ? heldCount : 0) || carry != null) {
            // Commands in flight and no reply: whether they ran is unknown, so the client must see it.
            cut();
        } else if (holding) {
            // Typically -UNBLOCKED and a close at a demotion: what was refused runs on the new master.
            if (!heldAllAgain) passHeldOn();
            moveOn();
        } else {
            // Idle (Sentinel's CLIENT KILL, a Redis timeout, a crash): the next command reconnects.
            detach();
            state = State.DETACHED;
            if (journal.bytes() > 0) connectWhenRouted();
        }
    }

    // ---- changes of master ------------------------------------------------------------------------

    @Override
    public HostPort node() {
        return node;
    }

    @Override
    public TrafficStats nodeStats() {
        return nodeStats;
    }

    @Override
    public void hold() {
        client.eventLoop().execute(() -> {
            held = true;
            updateClientReads();
        });
    }

    @Override
    public void release() {
        client.eventLoop().execute(() -> {
            if (!held) return;
            held = false;
            if (state == State.FORWARDING && backend != null && journal.hasUnsent()) {
                journal.writeUnsent(backend);
                backend.flush();
            }
            updateClientReads();
        });
    }

    @Override
    public void leave(HostPort left, boolean demoted) {
        client.eventLoop().execute(() -> {
            if (backend == null || !left.equals(node)) return;
            if (pinned()) {
                cut();
                return;
            }
            leaving = true;
            if (holding) {
                settleIfAnswered();
            } else if (journal.sentCommands() == 0 && carry == null) {
                moveOn();
            } else if (demoted) {
                // The old node can no longer acknowledge a write: wait for the replies due from it.
                state = State.SETTLING;
                startTimer(config.waitForMaster().toMillis());
            } else {
                // It may still acknowledge what is in flight, and that write would be lost: cut, as tcp does.
                cut();
            }
        });
    }

    private boolean pinned() {
        return opaque || opaqueAfterSend || inTx || watching;
    }

    /** Once every command sent to the node has its reply: move on, or pass the held replies on. */
    private void settleIfAnswered() {
        if (state != State.SETTLING || backend == null) return;
        if (journal.sentCommands() > (holding ? heldCount : 0)) return;
        if (holding && !heldAllAgain) {
            passHeldOn();
            if (!leaving) resumeForwarding();
            else moveOn();
        } else if (leaving) {
            moveOn();
        }
        // else: refused as a replica but the router has not moved on yet; the timer bounds the wait
    }

    /** Gives up on sending the held commands again: the client gets the replies the node gave. */
    private void passHeldOn() {
        for (ByteBuf b : heldBytes) client.write(b, client.voidPromise());
        heldBytes.clear();
        for (int kind : heldKinds) passedOn(journal.oldestFlags(), kind);
        heldKinds.clear();
        holding = false;
        heldCount = 0;
        client.flush();
    }

    private void resumeForwarding() {
        cancelTimer();
        state = State.FORWARDING;
        avoid = null;
        if (!held && journal.hasUnsent()) {
            journal.writeUnsent(backend);
            backend.flush();
        }
        updateClientReads();
    }

    /** Leaves the node; what it refused (and anything not sent yet) goes to the next master. */
    private void moveOn() {
        int again = holding ? heldCount : 0;
        if (again > 0) nodeStats.commandsResent.add(again);
        nodeStats.sessionsMoved.increment();
        Channel old = backend;
        detach();
        old.close();
        dropHeld();
        state = State.DETACHED;
        if (journal.bytes() > 0) connectWhenRouted();
        updateClientReads();
    }

    private void detach() {
        if (backend == null) return;
        router.sessions().remove(this);
        nodeStats.sessionsNow.decrement();
        backend = null;
        leaving = false;
        held = false;  // a hold is on a node, and this session has left it
        swallow = 0;
        cancelTimer();
    }

    private void dropHeld() {
        heldBytes.forEach(ByteBuf::release);
        heldBytes.clear();
        heldKinds.clear();
        holding = false;
        heldCount = 0;
        if (carry != null) {
            carry.release();
            carry = null;
        }
    }

    /** Closes both sides, as mode tcp does at every change. */
    private void cut() {
        if (nodeStats != null) nodeStats.sessionsCut.increment();
        Channel b = backend;
        detach();
        if (b != null) b.close();
        NodeConnections.flushAndClose(client);  // after whatever was already passed on
    }

    private void maybeBecomeOpaque() {
        if (!opaqueAfterSend || opaque || state != State.FORWARDING || held || swallow > 0 || holding
                || carry != null || journal.hasUnsent()) {
            return;
        }
        opaque = true;
        journal.release();
    }

    // ---- connecting -------------------------------------------------------------------------------

    private void connectWhenRouted() {
        state = State.CONNECTING;
        waiter = r -> client.eventLoop().execute(() -> routed(r));
        if (!router.routeOrWait(waiter, avoid)) startWaitTimer();
    }

    private void routed(Router.Route route) {
        waiter = null;
        if (!client.isActive() || state != State.CONNECTING) return;
        if (route.node().equals(avoid)) {
            connectWhenRouted();  // still the node that refused: wait for the next verdict
            return;
        }
        TrafficStats stats = router.nodeStats(route.node());
        NodeConnections.connect(client, route.node(), config, transport, new NodeHandler(this)).addListener((ChannelFutureListener) f -> {
            Channel ch = f.channel();
            if (!f.isSuccess()) {
                stats.connectErrors.increment();
                router.stats().connectErrors.increment();
                // Nothing was sent: try again shortly; the wait timer bounds how long commands wait.
                if (client.isActive()) client.eventLoop().schedule(this::connectWhenRouted, 20, TimeUnit.MILLISECONDS);
                return;
            }
            if (!client.isActive() || state != State.CONNECTING) {
                ch.close();
                return;
            }
            attach(route, ch, stats);
        });
    }

    private void attach(Router.Route route, Channel ch, TrafficStats stats) {
        backend = ch;
        node = route.node();
        nodeStats = stats;
        router.sessions().add(this);
        stats.sessionsNow.increment();
        stats.sessionsTotal.increment();
        if (!router.isCurrent(route)) {
            // The master changed while connecting and the router may have missed this session: nothing
            // was sent, so start over.
            detach();
            ch.close();
            connectWhenRouted();
            return;
        }
        avoid = null;
        replies = new ReplyScanner();
        journal.markNoneSent();
        swallow = replay.replay(ch);
        journal.writeUnsent(ch);
        ch.flush();
        cancelTimer();
        state = State.FORWARDING;
        ch.config().setAutoRead(client.isWritable());
        maybeBecomeOpaque();
        updateClientReads();
    }

    // ---- timers -----------------------------------------------------------------------------------

    /** Commands waiting for a master get -MASTERDOWN after wait-for-master. */
    private void startWaitTimer() {
        if (timer == null && journal.commands() > 0 && state != State.FORWARDING && state != State.SETTLING) {
            router.stats().waited.increment();
            startTimer(config.waitForMaster().toMillis());
        }
    }

    private void startTimer(long millis) {
        cancelTimer();
        timer = client.eventLoop().schedule(this::timedOut, millis, TimeUnit.MILLISECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void timedOut() {
        timer = null;
        if (!client.isActive()) return;
        if (state == State.SETTLING) {
            if (holding && !leaving) {
                // Refused as a replica, yet the topology still names this node: the client gets the refusal.
                passHeldOn();
                resumeForwarding();
            } else {
                log.warn("[{}] {}: no reply to commands in flight {} ms after it stopped being master; closing the "
                        + "client session", config.name(), node, config.waitForMaster().toMillis());
                cut();
            }
            return;
        }
        if (state == State.FORWARDING) return;
        int n = journal.commands();
        if (n == 0) return;
        router.stats().waitTimeouts.increment();
        ByteBuf err = NodeConnections.noMasterKnown(config);
        for (int k = 0; k < n; k++) {
            client.write(err.retainedDuplicate(), client.voidPromise());
            journal.removeOldest();
        }
        err.release();
        client.flush();
        updateClientReads();
    }

    /** The node connection's events, handed to the session with the channel they came from. */
    private static final class NodeHandler extends ChannelInboundHandlerAdapter {
        private final RedisSession session;

        NodeHandler(RedisSession session) {
            this.session = session;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            session.nodeRead(ctx.channel(), (ByteBuf) msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            session.nodeReadComplete(ctx.channel());
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            session.nodeWritabilityChanged(ctx.channel());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            session.nodeClosed(ctx.channel());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
