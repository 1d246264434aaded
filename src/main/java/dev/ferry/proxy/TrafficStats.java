package dev.ferry.proxy;

import java.util.concurrent.atomic.LongAdder;

/** Counters of one frontend or one node; LongAdders because every event loop adds to them. */
public final class TrafficStats {
    public final LongAdder sessionsTotal = new LongAdder();
    public final LongAdder sessionsNow = new LongAdder();
    public final LongAdder bytesFromClients = new LongAdder();
    public final LongAdder bytesToClients = new LongAdder();
    public final LongAdder connectErrors = new LongAdder();
    /** Sessions Ferry closed because their node stopped being master. */
    public final LongAdder sessionsCut = new LongAdder();
    /** Sessions that left this node for the new master without the client noticing (mode redis). */
    public final LongAdder sessionsMoved = new LongAdder();
    /** Commands this node refused with -READONLY (or -UNBLOCKED) that were sent again to the new master. */
    public final LongAdder commandsResent = new LongAdder();
    /** Client connections that waited for a master, and those that gave up waiting. */
    public final LongAdder waited = new LongAdder();
    public final LongAdder waitTimeouts = new LongAdder();
    public final LongAdder waitingNow = new LongAdder();
}
