package dev.ferry.topology;

import dev.ferry.config.HostPort;
import dev.ferry.resp.Connector;
import dev.ferry.resp.ErrorReply;
import dev.ferry.resp.RedisLink;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens to one Sentinel's events ({@code PSUBSCRIBE *}) on a thread of its own and hands those about
 * our master to the topology. Events only prompt a re-check: a subscriber can miss messages, so the
 * answer always comes from asking the Sentinels and the nodes.
 */
final class SentinelSubscriber implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(SentinelSubscriber.class);
    private final HostPort sentinel;
    private final String masterName;
    private final Connector connector;
    private final Consumer<SentinelEvent> sink;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile RedisLink link;

    SentinelSubscriber(String frontend, HostPort sentinel, String masterName, Connector connector,
                       Consumer<SentinelEvent> sink) {
        this.sentinel = sentinel;
        this.masterName = masterName;
        this.connector = connector;
        this.sink = sink;
        this.thread = new Thread(this, "ferry-" + frontend + "-events-" + sentinel);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        running = false;
        RedisLink l = link;
        if (l != null) l.close();
        thread.interrupt();
    }

    @Override
    public void run() {
        boolean wasSubscribed = false;
        while (running) {
            try (RedisLink l = connector.open(sentinel, "ferry-events")) {
                link = l;
                l.send("PSUBSCRIBE", "*");
                Object ack = l.read();
                if (ack instanceof ErrorReply e) throw new IOException("PSUBSCRIBE refused: " + e.code());
                if (!wasSubscribed) log.debug("subscribed to events of Sentinel {}", sentinel);
                wasSubscribed = true;
                while (running) {
                    Object msg = l.read(Duration.ZERO);
                    if (msg instanceof List<?> m && m.size() == 4 && "pmessage".equals(m.get(0))) {
                        SentinelEvent ev = new SentinelEvent(sentinel, String.valueOf(m.get(2)), String.valueOf(m.get(3)));
                        if (ev.concerns(masterName)) sink.accept(ev);
                    }
                }
            } catch (Exception e) {
                if (!running) return;
                // The poller reports the Sentinel as unreachable; here we only retry quietly.
                sleep(500);
            } finally {
                link = null;
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
