package dev.ferry.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

/**
 * How a session's replies reach its client: the runs of a node read that belong to the session leave as
 * one slice each (or the node's whole read buffer, when it is all the session's), written when the run
 * ends; anything Ferry writes itself goes after what is pending, so replies stay in order. The start of a
 * reply that must be seen whole before it is passed on (an error that may be a refusal; a Pub/Sub message
 * that must not be cut by a move) is carried here.
 */
final class ReplyForwarder {
    private final Channel client;
    private ByteBuf buf;
    private int from;
    private int to;
    private ByteBuf carry;

    ReplyForwarder(Channel client) {
        this.client = client;
    }

    /** Passes on {@code [start, end)} of a node's read buffer (valid until the end of that read). */
    void forward(ByteBuf b, int start, int end) {
        if (end <= start) return;
        if (buf == b && to == start) {
            to = end;
            return;
        }
        flushRun();
        buf = b;
        from = start;
        to = end;
    }

    /** Writes the pending run: the end of a node read, or before anything else is written. */
    void flushRun() {
        ByteBuf b = buf;
        if (b == null) return;
        buf = null;
        if (from == b.readerIndex() && to == b.writerIndex()) {
            client.write(b.retain(), client.voidPromise());  // the node's whole read: no slice object
        } else {
            client.write(b.retainedSlice(from, to - from), client.voidPromise());
        }
    }

    /** The end of a node read: its buffer is released after this. */
    void endOfRead(ByteBuf b) {
        if (buf == b) flushRun();
    }

    /** Writes a reply Ferry made (or held), after whatever was pending. */
    void write(ByteBuf reply) {
        flushRun();
        client.write(reply, client.voidPromise());
    }

    /** Keeps the start of a reply until it is whole. */
    void carry(ByteBuf b, int start, int end) {
        if (carry == null) carry = Unpooled.buffer(Math.max(64, end - start));
        carry.writeBytes(b, start, end - start);
    }

    boolean carrying() {
        return carry != null;
    }

    /** The carried start of a reply, now owned by the caller (null when none). */
    ByteBuf takeCarry() {
        ByteBuf c = carry;
        carry = null;
        return c;
    }

    void dropCarry() {
        if (carry != null) carry.release();
        carry = null;
    }
}
