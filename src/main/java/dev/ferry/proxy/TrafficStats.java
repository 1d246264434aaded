package dev.ferry.proxy;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one frontend or one node; LongAdders because every event loop adds to them. Each means
 * one thing whatever the connection policy.
 */
public final class TrafficStats {
    /** Client connections accepted (frontend), or sessions whose commands went to this node (node). */
    public final LongAdder sessionsTotal = new LongAdder();
    public final LongAdder sessionsNow = new LongAdder();
    public final LongAdder bytesFromClients = new LongAdder();
    public final LongAdder bytesToClients = new LongAdder();
    /** Node connections Ferry could not open. */
    public final LongAdder connectErrors = new LongAdder();
    /** Sessions Ferry closed because their node stopped being master with their commands in flight. */
    public final LongAdder sessionsCut = new LongAdder();
    /** Sessions closed because their node closed their own connection while still the master (CLIENT KILL...), as directly. */
    public final LongAdder sessionsClosedByNode = new LongAdder();
    /** Sessions that left this node for the new master without the client noticing. */
    public final LongAdder sessionsMoved = new LongAdder();
    /** Commands this node refused with -READONLY (or -UNBLOCKED) that were sent again to the new master. */
    public final LongAdder commandsResent = new LongAdder();
    /**
     * Sessions that left this node with connection state set up again on the new master (subscriptions,
     * MONITOR, tracking, an open transaction...). Messages published in the moment between leaving and the
     * new subscription's confirmation are not seen by those subscribers (Pub/Sub is at-most-once).
     */
    public final LongAdder stateMoved = new LongAdder();
    /** Tracking clients told to drop their whole local cache when they moved off this node. */
    public final LongAdder cachesFlushed = new LongAdder();
    /** Sessions that had commands waiting for a master (each wait counted once), and those waiting now. */
    public final LongAdder waited = new LongAdder();
    public final LongAdder waitingNow = new LongAdder();
    /** Commands answered -MASTERDOWN because no master could take them within wait-for-master. */
    public final LongAdder waitTimeouts = new LongAdder();
    /** Commands by how they travelled: on a shared connection, a dedicated one, or answered by Ferry itself. */
    public final LongAdder commandsShared = new LongAdder();
    public final LongAdder commandsDedicated = new LongAdder();
    public final LongAdder commandsLocal = new LongAdder();
    /** Node connections open now. */
    public final LongAdder sharedConnectionsNow = new LongAdder();
    public final LongAdder dedicatedConnectionsNow = new LongAdder();
    /** RESP3 pushes that arrived on a shared connection (none should: nothing there subscribes or tracks). */
    public final LongAdder pushesDropped = new LongAdder();
    /** Clients closed because more than client-output-limit of replies piled up unread. */
    public final LongAdder outputLimitCloses = new LongAdder();

    LongAdder nodeConnectionsNow(boolean shared) {
        return shared ? sharedConnectionsNow : dedicatedConnectionsNow;
    }
}
