package dev.ferry.proxy;

import dev.ferry.config.HostPort;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a node, on one event loop. A <em>shared</em> link carries the commands of many
 * sessions of one {@link Identity}, pipelined, and hands each reply to the session whose command it
 * answers (a FIFO of runs: session, count). A <em>dedicated</em> link belongs to one session (a
 * transaction, Pub/Sub, a blocking command...) and hands it everything. Either way the link first sets
 * up its identity (AUTH with a login a client proved, HELLO, SELECT, a name), checks those replies, and
 * only then carries client commands, so a client command never runs as anyone else.
 */
final class NodeLink extends ChannelInboundHandlerAdapter implements ReplyScanner.Sink, FlushBatcher.Target {
    private static final Logger log = LoggerFactory.getLogger(NodeLink.class);

    enum State {
        /** TCP connect in progress. */
        CONNECTING,
        /** Ferry's own set-up commands, or one client's login that decides the link's identity, in flight. */
        SETTING_UP,
        /** Carries client commands. */
        READY,
        /** Its node stopped being the master (or set-up failed): takes nothing new, closes once answered. */
        RETIRED,
        CLOSED
    }

    final LinkPool pool;
    final HostPort node;
    final boolean shared;
    private Identity identity;
    private Channel ch;
    private State state = State.CONNECTING;

    /**
     * One of Ferry's own commands: how many replies it gets (SUBSCRIBE a b: two; CLIENT REPLY OFF: none), and
     * whether a refusal means the link is not what it was opened for (AUTH, SELECT: yes; a replayed
     * CLIENT SETINFO, a WAIT marker: no). Its replies never reach a client.
     */
    record Step(ByteBuf command, int replies, boolean required) {
        static Step required(ByteBuf command) {
            return new Step(command, 1, true);
        }

        static Step tolerated(ByteBuf command) {
            return new Step(command, 1, false);
        }
    }

    // Set-up: Ferry's own commands, their replies checked and dropped; then perhaps one client's login.
    private final List<Step> setUp = new ArrayList<>(3);
    private final List<Step> afterLogin = new ArrayList<>(2);
    /** Replies to Ferry's own commands still due, oldest first: true where a refusal fails the link. */
    private final java.util.ArrayDeque<Boolean> own = new java.util.ArrayDeque<>(4);
    private String setUpFailure;
    private ClientSession verifier;
    private boolean verifying;

    // The FIFO of shared links: runs of commands, oldest first.
    private ClientSession[] owners;
    private int[] counts;
    private int head;
    private int size;
    private int inFlight;
    /** The dedicated link's one session. */
    private ClientSession owner;
    private boolean opaque;

    private final ReplyScanner replies = new ReplyScanner();
    private final List<ClientSession> waiting = new ArrayList<>(2);
    private final List<ClientSession> touched = new ArrayList<>(4);
    private ByteBuf current;
    private int cursor;
    boolean flushScheduled;

    NodeLink(LinkPool pool, HostPort node, Identity identity, boolean shared) {
        this.pool = pool;
        this.node = node;
        this.identity = identity;
        this.shared = shared;
        if (shared) {
            owners = new ClientSession[8];
            counts = new int[8];
        }
    }

    Identity identity() {
        return identity;
    }

    State state() {
        return state;
    }

    Channel channel() {
        return ch;
    }

    boolean ready() {
        return state == State.READY;
    }

    boolean usable() {
        return state == State.CONNECTING || state == State.SETTING_UP || state == State.READY;
    }

    /** Commands answered by nobody yet (shared links). */
    int inFlight() {
        return inFlight;
    }

    boolean isWritable() {
        return ch != null && ch.isWritable();
    }

    // ---- set-up -----------------------------------------------------------------------------------

    /**
     * Ferry's set-up commands, sent and checked before anything else; {@code login} (optional) is a
     * client's AUTH or HELLO that decides whether the link is of its identity, then {@code after} follow.
     */
    void plan(List<Step> first, ClientSession login, List<Step> after) {
        setUp.addAll(first);
        verifier = login;
        afterLogin.addAll(after);
    }

    /** Connected: set up, or carry commands at once when there is nothing to set up. */
    void connected(Channel channel) {
        ch = channel;
        pool.stats().nodeConnectionsNow(shared).increment();
        if (state == State.RETIRED) {
            ch.close();
            return;
        }
        state = State.SETTING_UP;
        sendSetUp(setUp);
        if (own.isEmpty()) afterSetUp();
    }

    void connectFailed(Throwable cause) {
        state = State.CLOSED;
        pool.forget(this);
        log.debug("[{}] cannot connect to {}: {}", pool.frontend(), node, cause.toString());
        for (ClientSession s : drainWaiting()) s.linkFailed(this, "cannot connect to " + node);
        if (owner != null) owner.linkFailed(this, "cannot connect to " + node);
    }

    private void sendSetUp(List<Step> steps) {
        for (Step st : steps) {
            ch.write(st.command(), ch.voidPromise());
            for (int k = 0; k < st.replies(); k++) own.add(st.required());
        }
        steps.clear();
        ch.flush();
    }

    /** Ferry's set-up replies all came (or there were none). */
    private void afterSetUp() {
        if (setUpFailure != null) {
            fail(setUpFailure);
            return;
        }
        if (verifier != null && !verifying) {
            verifying = true;
            verifier.loginNow(this);  // the client's own login goes first; its reply decides
            return;
        }
        if (!afterLogin.isEmpty()) {
            sendSetUp(afterLogin);
            if (!own.isEmpty()) return;
        }
        state = State.READY;
        ch.config().setAutoRead(true);
        for (ClientSession s : drainWaiting()) s.linkReady(this);
        if (owner != null && waiting.isEmpty()) owner.linkReady(this);
    }

    private void fail(String why) {
        if (identity.user() != null && why.startsWith("-NOPERM") && why.contains("'select'")) pool.logins().refusedSelect(identity.user());
        log.warn("[{}] connection to {} as {} could not be set up: {}", pool.frontend(), node, identity, why);
        retireNow();
        for (ClientSession s : drainWaiting()) s.linkFailed(this, why);
        if (owner != null) owner.linkFailed(this, why);
    }

    private List<ClientSession> drainWaiting() {
        if (waiting.isEmpty()) return List.of();
        List<ClientSession> w = new ArrayList<>(waiting);
        waiting.clear();
        for (ClientSession s : w) if (s.awaiting == this) s.awaiting = null;
        return w;
    }

    /** A session that wants to send once the link is ready (or writable again); listed once. */
    void await(ClientSession s) {
        if (s.awaiting == this) return;
        s.awaiting = this;
        waiting.add(s);
    }

    void stopAwaiting(ClientSession s) {
        if (s.awaiting != this) return;
        s.awaiting = null;
        waiting.remove(s);
    }

    // ---- dedicated --------------------------------------------------------------------------------

    void own(ClientSession s, Identity as) {
        owner = s;
        identity = as;
    }

    ClientSession owner() {
        return owner;
    }

    /** Back to the pool's idle links (clean, of {@code as}); the node's reads stay off until used again. */
    void disown(Identity as) {
        owner = null;
        identity = as;
    }

    /** Ferry's own command on a dedicated link with nothing in flight; its replies are dropped. */
    void sendOwn(Step step) {
        ch.write(step.command(), ch.voidPromise());
        for (int k = 0; k < step.replies(); k++) own.add(false);
    }

    /** From now on every byte from the node goes to the owner as it comes (Pub/Sub, MONITOR...). */
    void becomeOpaque() {
        opaque = true;
    }

    // ---- carrying commands ------------------------------------------------------------------------

    /** {@code n} commands of {@code s} were written to the channel; their replies come in this order. */
    void sent(ClientSession s, int n) {
        inFlight += n;
        if (!shared) return;
        if (size > 0) {
            int tail = (head + size - 1) & (owners.length - 1);
            if (owners[tail] == s) {
                counts[tail] += n;
                return;
            }
        }
        if (size == owners.length) grow();
        int at = (head + size) & (owners.length - 1);
        owners[at] = s;
        counts[at] = n;
        size++;
    }

    /** Flushes with the other writes of this event loop turn: one write for many sessions. */
    void flushSoon() {
        if (!flushScheduled) {
            flushScheduled = true;
            FlushBatcher.add(this, ch.eventLoop());
        }
    }

    @Override
    public void flushNow() {
        flushScheduled = false;
        if (ch != null) ch.flush();
    }

    // ---- the node's bytes -------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        int n = buf.readableBytes();
        pool.stats().bytesToClients.add(n);
        if (opaque && owner != null && own.isEmpty()) {
            owner.rawFromNode(buf);
            return;
        }
        current = buf;
        cursor = buf.readerIndex();
        boolean readable = replies.scan(buf, this);
        if (readable && cursor < buf.writerIndex() && state != State.CLOSED) partial(buf, cursor, buf.writerIndex());
        current = null;
        // Each session passes on what it got from this read and reacts, before the buffer is released.
        for (int i = 0; i < touched.size(); i++) {
            ClientSession s = touched.get(i);
            s.touchedBy = null;
            s.endOfNodeRead(this, buf);
        }
        touched.clear();
        buf.release();
        if (!readable) {
            log.warn("[{}] {} sent bytes Ferry cannot follow as RESP; closing that connection", pool.frontend(), node);
            ctx.close();
        }
    }

    @Override
    public void reply(int end, int kind) {
        int start = cursor;
        cursor = end;
        if (!own.isEmpty()) {
            boolean required = own.poll();
            if (required && kind != ReplyScanner.OK && kind != ReplyScanner.PUSH && setUpFailure == null) {
                setUpFailure = describe(current, start, end);
            }
            if (own.isEmpty() && state == State.SETTING_UP) afterSetUp();
            return;
        }
        if (!shared) {
            if (owner == null) return;  // an idle dedicated link: nothing is due
            if (kind != ReplyScanner.PUSH) inFlight = Math.max(0, inFlight - 1);
            ClientSession o = owner;
            touch(o);
            o.nodeReply(this, current, start, end, kind);
            if (inFlight == 0 && state == State.RETIRED && owner == null) ch.close();
            return;
        }
        if (kind == ReplyScanner.PUSH) {
            pool.stats().pushesDropped.increment();  // no session of a shared link subscribes or tracks
            return;
        }
        if (size == 0) {
            log.warn("[{}] {} sent a reply to no command; closing that connection", pool.frontend(), node);
            current.readerIndex(end);
            ch.close();
            return;
        }
        ClientSession s = owners[head];
        if (--counts[head] == 0) {
            owners[head] = null;
            head = (head + 1) & (owners.length - 1);
            size--;
        }
        inFlight--;
        touch(s);
        s.nodeReply(this, current, start, end, kind);
        afterVerify(kind);
        if (inFlight == 0) {
                if (state == State.RETIRED) ch.close();
        }
    }

    /** The client login that was to decide this link's identity was answered. */
    private void afterVerify(int kind) {
        if (!verifying || state != State.SETTING_UP) return;
        verifier = null;
        verifying = false;
        if (kind == ReplyScanner.OK) {
            afterSetUp();
        } else {
            afterLogin.forEach(st -> st.command().release());
            afterLogin.clear();
            retireNow();  // not of the identity it was opened for: never carries anything
            for (ClientSession s : drainWaiting()) s.linkFailed(this, "login refused");
        }
    }

    private void partial(ByteBuf buf, int from, int to) {
        if (!own.isEmpty()) return;
        ClientSession s = shared ? (size > 0 ? owners[head] : null) : owner;
        if (s == null) {
            if (replies.insidePush()) return;
            log.warn("[{}] {} sent bytes that answer no command; closing that connection", pool.frontend(), node);
            ch.close();
            return;
        }
        if (shared && replies.insidePush()) return;
        touch(s);
        s.nodePartial(this, buf, from, to, replies.insideTopLevelError());
    }

    private void touch(ClientSession s) {
        if (s.touchedBy != this) {
            s.touchedBy = this;
            touched.add(s);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ch.isWritable()) {
            for (ClientSession s : drainWaiting()) s.linkWritable(this);
            if (owner != null) owner.linkWritable(this);
        } else if (owner != null) {
            owner.linkWritable(this);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        boolean wasOpen = state != State.CLOSED;
        state = State.CLOSED;
        pool.forget(this);
        if (wasOpen && ch != null) pool.stats().nodeConnectionsNow(shared).decrement();
        for (ClientSession s : drainWaiting()) s.linkFailed(this, "connection to " + node + " closed");
        if (shared) {
            // Every session with a command in flight learns it once; the FIFO holds each at most a few times.
            List<ClientSession> seen = new ArrayList<>();
            while (size > 0) {
                ClientSession s = owners[head];
                owners[head] = null;
                head = (head + 1) & (owners.length - 1);
                size--;
                if (!seen.contains(s)) seen.add(s);
            }
            inFlight = 0;
            for (ClientSession s : seen) s.linkClosed(this);
        } else if (owner != null) {
            owner.linkClosed(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("[{}] connection to {}: {}", pool.frontend(), node, cause.toString());
        ctx.close();
    }

    // ---- change of master -------------------------------------------------------------------------

    /**
     * The node is no longer the master: nothing new goes here; the sessions with commands in flight are
     * told (they wait for the replies or are cut); the connection closes once nothing is due.
     */
    void retire(boolean demoted) {
        if (state == State.CLOSED) return;
        retireNow();
        for (ClientSession s : drainWaiting()) s.linkFailed(this, node + " is no longer the master");
        if (shared) {
            List<ClientSession> seen = new ArrayList<>();
            for (int k = 0; k < size; k++) {
                ClientSession s = owners[(head + k) & (owners.length - 1)];
                if (!seen.contains(s)) seen.add(s);
            }
            for (ClientSession s : seen) s.linkLeft(this, demoted);
        } else if (owner != null) {
            owner.linkLeft(this, demoted);
        }
        if (inFlight == 0 && ch != null && state != State.CLOSED) ch.close();
    }

    private void retireNow() {
        if (state == State.CLOSED) return;
        state = State.RETIRED;
        pool.forget(this);
        if (ch != null && inFlight == 0 && owner == null) ch.close();
    }

    /** Closes after what was written is flushed. */
    void close() {
        if (state != State.CLOSED) state = State.RETIRED;
        pool.forget(this);
        if (ch != null && ch.isActive()) ch.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void grow() {
        ClientSession[] o = new ClientSession[owners.length * 2];
        int[] c = new int[o.length];
        for (int k = 0; k < size; k++) {
            o[k] = owners[(head + k) & (owners.length - 1)];
            c[k] = counts[(head + k) & (owners.length - 1)];
        }
        owners = o;
        counts = c;
        head = 0;
    }

    private static String describe(ByteBuf buf, int from, int to) {
        int n = Math.min(to - from, 200);
        return buf.toString(from, n, java.nio.charset.StandardCharsets.UTF_8).trim();
    }

    @Override
    public String toString() {
        return (shared ? "shared" : "dedicated") + " link to " + node + " as " + identity + " (" + state + ")";
    }
}
