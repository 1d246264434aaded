package dev.ferry.proxy;

import dev.ferry.config.HostPort;

/** A client session attached to a node, as the router sees it when the master changes. */
interface RoutedSession {
    HostPort node();

    TrafficStats nodeStats();

    /** Stop sending client commands to the node for now (Sentinel is promoting a replica). */
    void hold();

    void release();

    /**
     * The node is no longer the master. A plain TCP session is cut; a Redis-aware one moves to the new
     * master when it can do so without losing or repeating anything, else it is cut.
     *
     * @param demoted the node itself handed over (it replicates from the new master), so it can no
     *                longer acknowledge writes and the replies still due from it are safe to pass on
     */
    void leave(HostPort node, boolean demoted);
}
