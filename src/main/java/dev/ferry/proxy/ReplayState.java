package dev.ferry.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * The connection state a client set up (AUTH, HELLO, SELECT, CLIENT SETNAME), kept as the commands
 * themselves, the last accepted one of each kind, in the order the client sent them: replayed on the
 * new master before anything else when a session moves.
 */
final class ReplayState {
    private static final int[] KINDS = {CommandTable.STATE_AUTH, CommandTable.STATE_HELLO, CommandTable.STATE_SELECT,
            CommandTable.STATE_SETNAME};
    private final ByteBuf[] commands = new ByteBuf[KINDS.length];
    private final long[] order = new long[KINDS.length];
    private long sequence;

    /** The node accepted {@code command} (a copy, now owned here) of the given kind. */
    void accepted(int kind, ByteBuf command) {
        int k = index(kind);
        if (commands[k] != null) commands[k].release();
        commands[k] = command;
        order[k] = ++sequence;
    }

    /** Writes the commands to a new node; returns how many replies to expect (and drop). */
    int replay(Channel node) {
        int n = 0;
        long after = 0;
        while (true) {
            int next = -1;
            for (int k = 0; k < KINDS.length; k++) {
                if (commands[k] != null && order[k] > after && (next < 0 || order[k] < order[next])) next = k;
            }
            if (next < 0) return n;
            node.write(commands[next].retainedDuplicate(), node.voidPromise());
            after = order[next];
            n++;
        }
    }

    /** RESET: the connection is back to its defaults. */
    void clear() {
        for (int k = 0; k < KINDS.length; k++) {
            if (commands[k] != null) commands[k].release();
            commands[k] = null;
        }
    }

    private static int index(int kind) {
        for (int k = 0; k < KINDS.length; k++) {
            if (KINDS[k] == kind) return k;
        }
        throw new IllegalArgumentException("not a state kind: " + kind);
    }
}
