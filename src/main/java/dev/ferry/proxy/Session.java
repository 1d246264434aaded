package dev.ferry.proxy;

import dev.ferry.config.HostPort;
import io.netty.channel.Channel;

/**
 * One client connection and its backend connection to a node. Both channels live on one event loop,
 * so the flags here are only touched from that loop.
 */
final class Session implements RoutedSession {
    final Channel client;
    final Channel backend;
    final HostPort node;
    final TrafficStats nodeStats;
    private boolean held;

    Session(Channel client, Channel backend, HostPort node, TrafficStats nodeStats) {
        this.client = client;
        this.backend = backend;
        this.node = node;
        this.nodeStats = nodeStats;
    }

    @Override
    public HostPort node() {
        return node;
    }

    @Override
    public TrafficStats nodeStats() {
        return nodeStats;
    }

    /** Client bytes flow only when the backend can take them and no failover hold is on. */
    void updateClientReads() {
        client.config().setAutoRead(!held && backend.isWritable());
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
            held = false;
            updateClientReads();
        });
    }

    /** Closes both sides: the client reconnects through Ferry and lands on the current master. */
    @Override
    public void leave(HostPort left, boolean demoted) {
        nodeStats.sessionsCut.increment();
        cut();
    }

    void cut() {
        client.eventLoop().execute(() -> {
            backend.close();
            client.close();
        });
    }
}
