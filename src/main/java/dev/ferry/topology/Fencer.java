package dev.ferry.topology;

import dev.ferry.config.HostPort;
import dev.ferry.resp.ErrorReply;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Demotes an old master that still says master, as Sentinel itself would seconds later
 * ({@code +convert-to-slave}): {@code REPLICAOF} the new master. Both answers are checked again first, so a
 * stale report never fences; REPLICAOF to the same master twice is harmless, so several Ferry instances may
 * all do it. Called on the topology's thread; the I/O runs on a worker and the outcome comes back on the loop.
 */
final class Fencer {
    private static final Logger log = LoggerFactory.getLogger(Fencer.class);
    /** One attempt per node per 10 s: a refused REPLICAOF (ACL, renamed command) must not flood the log. */
    static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** What came of one REPLICAOF that was sent. */
    interface Outcome {
        void fenced(HostPort old, HostPort master, boolean succeeded);
    }

    private final String frontend;
    private final Checks checks;
    private final Executor workers;
    private final Executor loop;
    private final Ticker ticker;
    private final Outcome outcome;
    private final Map<HostPort, Long> lastAttempt = new HashMap<>();

    Fencer(String frontend, Checks checks, Executor workers, Executor loop, Ticker ticker, Outcome outcome) {
        this.frontend = frontend;
        this.checks = checks;
        this.workers = workers;
        this.loop = loop;
        this.ticker = ticker;
        this.outcome = outcome;
    }

    /**
     * Fences {@code old} in favour of {@code v.master()}, unless it was tried in the last 10 s.
     *
     * @param oldEpoch the config epoch {@code old} was master at (for the log line)
     */
    void fence(HostPort old, Verdict v, Long oldEpoch) {
        Long last = lastAttempt.get(old);
        long now = ticker.nanoTime();
        if (last != null && now - last < RETRY_NANOS) return;
        lastAttempt.put(old, now);
        HostPort master = v.master();
        workers.execute(() -> {
            boolean attempted = false;
            boolean ok = false;
            String detail;
            try {
                if (!checks.node(old).saysMaster() || !checks.node(master).saysMaster()) {
                    detail = "a fresh check no longer shows both as master";
                } else {
                    attempted = true;
                    Object r = checks.command(old, "REPLICAOF", master.host(), String.valueOf(master.port()));
                    ok = !(r instanceof ErrorReply);
                    detail = String.valueOf(r);
                }
            } catch (Exception e) {
                attempted = true;
                detail = "failed: " + e.getMessage();
            }
            boolean tried = attempted;
            boolean succeeded = ok;
            String said = detail;
            loop.execute(() -> {
                if (!tried) {
                    // Nothing was sent: the next round may try again at once.
                    lastAttempt.remove(old);
                    log.info("[{}] not fencing {}: {}", frontend, old, said);
                    return;
                }
                log.warn("[{}] fenced old master {}: REPLICAOF {} (it was master at config epoch {}, Sentinels now at {}): {}",
                        frontend, old, master, oldEpoch, v.epoch(), said);
                outcome.fenced(old, master, succeeded);
            });
        });
    }
}
