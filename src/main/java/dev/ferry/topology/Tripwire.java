package dev.ferry.topology;

import dev.ferry.config.HostPort;
import dev.ferry.resp.Connector;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.RedisLink;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Learns at once when the routed master stops being one. It keeps a {@code BLPOP} blocked on the master
 * on a key nobody writes: when Redis demotes itself ({@code FAILOVER}, {@code REPLICAOF}) it answers every
 * blocked client with {@code -UNBLOCKED} and closes it; when the process dies the connection breaks. Either
 * way the topology re-checks within milliseconds instead of waiting for the next check interval.
 */
final class Tripwire implements Runnable {
    private final Connector connector;
    private final Consumer<String> trip;
    private final String key = "ferry:tripwire:" + UUID.randomUUID();
    private final Thread thread;
    private volatile HostPort target;
    private volatile RedisLink link;
    private volatile boolean running = true;

    Tripwire(String frontend, Connector connector, Consumer<String> trip) {
        this.connector = connector;
        this.trip = trip;
        this.thread = new Thread(this, "ferry-" + frontend + "-tripwire");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Watches this node from now on (null: none). */
    synchronized void watch(HostPort node) {
        if (java.util.Objects.equals(node, target)) return;
        target = node;
        RedisLink l = link;
        if (l != null) l.close();
        notifyAll();
    }

    void stop() {
        running = false;
        watch(null);
        thread.interrupt();
    }

    @Override
    public void run() {
        while (running) {
            HostPort node = awaitTarget();
            if (node == null) return;
            String outcome;
            try (RedisLink l = connector.open(node, "ferry-tripwire")) {
                link = l;
                l.send("BLPOP", key, "0");
                Object reply = l.read(Duration.ZERO);
                outcome = reply instanceof ErrorReply e ? e.code() : "woken";
                if (reply instanceof ErrorReply e && (e.code().equals("NOPERM") || e.code().equals("ERR"))) {
                    // No permission for BLPOP: the periodic checks remain; do not spin.
                    pause(node, 5000);
                }
            } catch (Exception e) {
                outcome = "connection lost";
            } finally {
                link = null;
            }
            if (running && node.equals(target)) {
                trip.accept(node + " " + outcome);
                pause(node, 50);
            }
        }
    }

    private synchronized HostPort awaitTarget() {
        while (running && target == null) {
            try {
                wait();
            } catch (InterruptedException e) {
                return null;
            }
        }
        return target;
    }

    private synchronized void pause(HostPort node, long ms) {
        try {
            if (node.equals(target)) wait(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
