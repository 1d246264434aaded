package dev.ferry.proxy;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a session set up on its node connection beyond its identity, kept so it can be set up again on
 * the new master when the session moves: its Pub/Sub subscriptions, MONITOR, CLIENT REPLY OFF, CLIENT
 * TRACKING with its options, CLIENT NO-EVICT / NO-TOUCH / SETINFO, and an open transaction (MULTI and
 * the commands already queued). Set up again as {@link NodeLink.Step}s whose replies the client already had.
 */
final class ConnectionState {
    /** Beyond this many bytes of queued commands a transaction is not kept for replay (the session is cut). */
    static final int TX_LIMIT = 1024 * 1024;

    private final Set<String> channels = new LinkedHashSet<>();
    private final Set<String> patterns = new LinkedHashSet<>();
    private final Set<String> shardChannels = new LinkedHashSet<>();
    private boolean monitor;
    private boolean replyOff;
    private List<byte[]> tracking;
    private byte[] noEvict;
    private byte[] noTouch;
    private byte[] libName;
    private byte[] libVer;
    private final List<ByteBuf> tx = new ArrayList<>();
    private int txBytes;
    private boolean txTooBig;

    // ---- what the client sent (noted when sent: Redis applies these in order, and the client saw the replies)

    /** A command of the session's own connection was sent; {@code args} its arguments. */
    void sent(List<byte[]> args) {
        if (args.isEmpty()) return;
        String name = Resp.text(args.get(0)).toUpperCase();
        switch (name) {
            case "SUBSCRIBE" -> channels.addAll(rest(args));
            case "PSUBSCRIBE" -> patterns.addAll(rest(args));
            case "SSUBSCRIBE" -> shardChannels.addAll(rest(args));
            case "UNSUBSCRIBE" -> remove(channels, args);
            case "PUNSUBSCRIBE" -> remove(patterns, args);
            case "SUNSUBSCRIBE" -> remove(shardChannels, args);
            case "MONITOR" -> monitor = true;
            case "CLIENT" -> client(args);
            default -> { }
        }
    }

    private void client(List<byte[]> args) {
        if (args.size() < 3) return;
        String sub = Resp.text(args.get(1)).toUpperCase();
        String arg = Resp.text(args.get(2)).toUpperCase();
        switch (sub) {
            case "REPLY" -> replyOff = !arg.equals("ON");
            case "TRACKING" -> tracking = arg.equals("ON") ? new ArrayList<>(args) : null;
            case "NO-EVICT" -> noEvict = args.get(2);
            case "NO-TOUCH" -> noTouch = args.get(2);
            case "SETINFO" -> {
                if (args.size() >= 4 && arg.equals("LIB-NAME")) libName = args.get(3);
                if (args.size() >= 4 && arg.equals("LIB-VER")) libVer = args.get(3);
            }
            default -> { }
        }
    }

    private static List<String> rest(List<byte[]> args) {
        List<String> out = new ArrayList<>(args.size() - 1);
        for (int i = 1; i < args.size(); i++) out.add(new String(args.get(i), StandardCharsets.ISO_8859_1));
        return out;
    }

    private static void remove(Set<String> set, List<byte[]> args) {
        if (args.size() == 1) set.clear();
        else rest(args).forEach(set::remove);
    }

    /** Anything set up that would have to be set up again on a new connection. */
    boolean any() {
        return !channels.isEmpty() || !patterns.isEmpty() || !shardChannels.isEmpty() || monitor || replyOff
                || tracking != null || noEvict != null || noTouch != null || !tx.isEmpty();
    }

    boolean subscribed() {
        return !channels.isEmpty() || !patterns.isEmpty() || !shardChannels.isEmpty();
    }

    boolean tracking() {
        return tracking != null;
    }

    /** RESP2 tracking sends invalidations to another client's connection id, which a move changes. */
    boolean trackingRedirects() {
        if (tracking == null) return false;
        for (byte[] a : tracking) {
            if (Resp.is(a, "REDIRECT")) return true;
        }
        return false;
    }

    // ---- an open transaction

    /** A command of an open transaction was answered (MULTI: +OK, queued ones: +QUEUED): kept for replay. */
    void queued(ByteBuf command) {
        txBytes += command.readableBytes();
        if (txBytes > TX_LIMIT) txTooBig = true;
        if (txTooBig) {
            command.release();
            return;
        }
        tx.add(command);
    }

    boolean txOpen() {
        return !tx.isEmpty() || txTooBig;
    }

    /** The open transaction can be run again whole (it is not too big to keep). */
    boolean txReplayable() {
        return !txTooBig;
    }

    /** EXEC or DISCARD answered, or RESET: no transaction open. */
    void txEnded() {
        tx.forEach(ByteBuf::release);
        tx.clear();
        txBytes = 0;
        txTooBig = false;
    }

    // ---- setting it up again

    /**
     * The steps that set this state up on a new connection, after its identity; their replies (which the
     * client already had, in another form) are dropped.
     */
    List<NodeLink.Step> steps() {
        List<NodeLink.Step> out = new ArrayList<>();
        if (libName != null) out.add(NodeLink.Step.tolerated(Resp.command(b("CLIENT"), b("SETINFO"), b("LIB-NAME"), libName)));
        if (libVer != null) out.add(NodeLink.Step.tolerated(Resp.command(b("CLIENT"), b("SETINFO"), b("LIB-VER"), libVer)));
        if (noEvict != null) out.add(NodeLink.Step.tolerated(Resp.command(b("CLIENT"), b("NO-EVICT"), noEvict)));
        if (noTouch != null) out.add(NodeLink.Step.tolerated(Resp.command(b("CLIENT"), b("NO-TOUCH"), noTouch)));
        if (tracking != null) out.add(NodeLink.Step.required(Resp.command(tracking.toArray(new byte[0][]))));
        subscribe(out, "SUBSCRIBE", channels);
        subscribe(out, "PSUBSCRIBE", patterns);
        subscribe(out, "SSUBSCRIBE", shardChannels);
        if (monitor) out.add(NodeLink.Step.required(Resp.command("MONITOR")));
        for (ByteBuf c : tx) out.add(NodeLink.Step.tolerated(c.retainedDuplicate()));
        // Last: with replies off, nothing answers it (nor anything after it).
        if (replyOff) out.add(new NodeLink.Step(Resp.command("CLIENT", "REPLY", "OFF"), 0, false));
        return out;
    }

    /** One confirmation per channel: the client had them all when it subscribed. */
    private static void subscribe(List<NodeLink.Step> out, String command, Set<String> names) {
        if (names.isEmpty()) return;
        byte[][] args = new byte[names.size() + 1][];
        args[0] = b(command);
        int i = 1;
        for (String n : names) args[i++] = n.getBytes(StandardCharsets.ISO_8859_1);
        out.add(new NodeLink.Step(Resp.command(args), names.size(), true));
    }

    /** RESET: back to a fresh connection's state (CLIENT SETINFO survives it, as in Redis). */
    void reset() {
        channels.clear();
        patterns.clear();
        shardChannels.clear();
        monitor = replyOff = false;
        tracking = null;
        noEvict = noTouch = null;
        txEnded();
    }

    void release() {
        txEnded();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
