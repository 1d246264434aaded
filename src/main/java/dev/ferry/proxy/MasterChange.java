package dev.ferry.proxy;

import dev.ferry.config.HostPort;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * The change-of-master protocol of one session, as explicit states. Events come in (a reply refused as
 * by a replica, the node left, every reply due is in, the connection closed, the move timer fired); each
 * returns what the session must do. No I/O here; the replies held back are kept here until the session
 * either drops them (the commands run again on the new master) or passes them on.
 */
final class MasterChange {
    enum State {
        /** Commands go to the node as they come. */
        ATTACHED,
        /**
         * The node refused a command as a replica would ({@code -READONLY}, or {@code -UNBLOCKED} for a
         * blocking pop): not executed. From that reply on, replies are held back and nothing new is sent;
         * the router is asked to look again.
         */
        REFUSED,
        /** The router moved on from the node, which now answers as a replica: the replies still due are awaited. */
        LEAVING,
        /** Both: once every reply due is in, the refused commands and those after them go to the new master. */
        REFUSED_LEAVING
    }

    /** What the session does next. */
    enum Outcome {
        /** Nothing yet. */
        WAIT,
        /** Leave the node; the commands not answered (refused ones first) go to the next master. */
        MOVE,
        /** Give up sending again: the client gets the replies the node gave, and the session stays. */
        PASS_HELD_AND_STAY,
        /** The client gets the replies the node gave (some commands may not run twice); then leave the node. */
        PASS_HELD_AND_MOVE,
        /** Replies from the node may be acknowledgements that a newer master never saw: close the client. */
        CUT
    }

    private State state = State.ATTACHED;
    private HostPort refusedBy;
    private final List<ByteBuf> heldBytes = new ArrayList<>(2);
    private final List<Integer> heldKinds = new ArrayList<>(2);
    private int heldCount;
    private boolean heldAllAgain;

    State state() {
        return state;
    }

    boolean attached() {
        return state == State.ATTACHED;
    }

    boolean holding() {
        return state == State.REFUSED || state == State.REFUSED_LEAVING;
    }

    int heldCount() {
        return heldCount;
    }

    /** The node that refused a write as a replica: not used again until the router names another master. */
    HostPort refusedBy() {
        return refusedBy;
    }

    void routeMovedOn() {
        refusedBy = null;
    }

    /** The oldest unanswered command was refused as by a replica ({@code again}: it may run again). */
    void refused(HostPort node, int kind) {
        refusedBy = node;
        heldCount = 1;
        heldAllAgain = true;
        heldKinds.add(kind);
        state = state == State.LEAVING ? State.REFUSED_LEAVING : State.REFUSED;
    }

    /** A reply after the first refusal: held back; {@code again} says whether its command may run again. */
    void hold(ByteBuf bytes, int kind, boolean again) {
        if (bytes != null) heldBytes.add(bytes);
        heldKinds.add(kind);
        heldCount++;
        heldAllAgain &= again;
    }

    /** Bytes of held replies (a reply's pieces as they arrive). */
    void holdBytes(ByteBuf bytes) {
        heldBytes.add(bytes);
    }

    /**
     * The node stopped being the master. {@code demoted}: it now answers as a replica, so it can no longer
     * acknowledge a write and the replies still due from it may be passed on. {@code unanswered}: commands
     * sent and not answered (held replies aside).
     */
    Outcome left(boolean demoted, int unanswered) {
        switch (state) {
            case ATTACHED -> {
                if (unanswered == 0) return Outcome.MOVE;
                if (!demoted) return Outcome.CUT;
                state = State.LEAVING;
                return Outcome.WAIT;
            }
            case REFUSED -> {
                state = State.REFUSED_LEAVING;
                return answered(unanswered);
            }
            default -> {
                return Outcome.WAIT;
            }
        }
    }

    /** A reply came; {@code unanswered} are still due. */
    Outcome answered(int unanswered) {
        if (unanswered > 0) return Outcome.WAIT;
        return switch (state) {
            case ATTACHED, REFUSED -> Outcome.WAIT;  // refused but not left: the move timer bounds the wait
            case LEAVING -> Outcome.MOVE;
            case REFUSED_LEAVING -> heldAllAgain ? Outcome.MOVE : Outcome.PASS_HELD_AND_MOVE;
        };
    }

    /**
     * The connection closed; {@code unanswered} commands had no reply ({@code onlyReads}: all of them
     * reads, which may simply run again).
     */
    Outcome closed(int unanswered, boolean onlyReads) {
        if (unanswered > 0 && !onlyReads) return Outcome.CUT;  // whether they ran is unknown: the client must see it
        if (holding()) return heldAllAgain ? Outcome.MOVE : Outcome.PASS_HELD_AND_MOVE;
        return Outcome.MOVE;
    }

    /** The move timer fired. */
    Outcome timedOut() {
        // Refused yet still named master: the client gets the refusal. Left, and replies still missing: cut.
        return state == State.REFUSED ? Outcome.PASS_HELD_AND_STAY : Outcome.CUT;
    }

    /** Back to ATTACHED, dropping what was held (the commands run again elsewhere). */
    void moved() {
        release();
        state = State.ATTACHED;
    }

    /** Held bytes and kinds, handed over to be passed on in order; back to ATTACHED. */
    List<ByteBuf> takeHeldBytes() {
        List<ByteBuf> out = new ArrayList<>(heldBytes);
        heldBytes.clear();
        return out;
    }

    List<Integer> takeHeldKinds() {
        List<Integer> out = new ArrayList<>(heldKinds);
        heldKinds.clear();
        heldCount = 0;
        state = State.ATTACHED;
        refusedBy = null;
        return out;
    }

    void release() {
        heldBytes.forEach(ByteBuf::release);
        heldBytes.clear();
        heldKinds.clear();
        heldCount = 0;
    }
}
