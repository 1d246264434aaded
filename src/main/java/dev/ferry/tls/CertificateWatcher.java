package dev.ferry.tls;

import dev.ferry.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads certificates, keys and CAs again when their files change on disk (renewal by certbot,
 * cert-manager, a Kubernetes secret): it looks every couple of seconds, so no inotify subtleties with
 * symlink swaps. New handshakes use the new files; established sessions keep theirs. Files that do not
 * check out (a key written before its certificate, an expired certificate) are logged once and the
 * loaded ones stay until the files are right.
 */
public final class CertificateWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CertificateWatcher.class);
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);

    private final List<Reloadable> watched = new CopyOnWriteArrayList<>();
    private final Map<Reloadable, String> lastError = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    public final LongAdder reloads = new LongAdder();
    public final LongAdder refused = new LongAdder();

    public CertificateWatcher(Duration interval) {
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ferry-certificates");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::checkAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Watches these files from now on (nothing for null). */
    public void watch(Reloadable r) {
        if (r != null && !watched.contains(r)) watched.add(r);
    }

    /** Stops watching (a frontend removed by a reload). */
    public void forget(Reloadable r) {
        if (r == null) return;
        watched.remove(r);
        lastError.remove(r);
    }

    /** Checks now on the watcher's thread and waits (for a config reload, and tests). */
    public void checkNow() throws Exception {
        timer.submit(this::checkAll).get();
    }

    private void checkAll() {
        for (Reloadable r : watched) {
            if (!r.filesChanged()) continue;
            try {
                String now = r.reload();
                reloads.increment();
                lastError.remove(r);
                log.info("{}: files changed, reloaded: {}", r.name(), now);
            } catch (ConfigException | RuntimeException e) {
                String why = e.getMessage();
                if (!Objects.equals(lastError.put(r, why), why)) {
                    refused.increment();
                    log.warn("{}: files changed but do not check out, still using the ones loaded before: {}", r.name(), why);
                }
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
