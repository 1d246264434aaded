package dev.ferry.topology;

import dev.ferry.config.HostPort;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When client traffic to the master is held while a replica is promoted, and the evidence of that
 * promotion. A hold starts when a Sentinel announces a failover of the routed master (events from
 * {@code +odown} to {@code +promoted-slave}), when the leader's {@code SENTINEL MASTER} flags show
 * {@code failover_in_progress} while it still names it, or when a planned failover asks. It remembers the
 * config epoch it began at, is bounded ({@code failover-hold}), starts at most once per epoch (so a
 * failover that never completes cannot hold traffic again and again), and ends once a new master is routed.
 * The leader's announced promotion counts as evidence for 10 s; the Sentinels' epoch confirms it well before.
 * Used from the topology's thread only.
 */
final class HoldPolicy {
    private static final Logger log = LoggerFactory.getLogger(HoldPolicy.class);
    private static final long NONE = Long.MIN_VALUE;
    static final long PROMOTION_EVIDENCE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String frontend;
    private final String masterName;
    private final Duration failoverHold;
    private final Ticker ticker;
    private long sinceEpoch = NONE;
    private long usedForEpoch = NONE;
    private long deadlineNanos;
    private Duration heldFor;
    private Promotion promotion;
    private long promotionSeenNanos;

    HoldPolicy(String frontend, String masterName, Duration failoverHold, Ticker ticker) {
        this.frontend = frontend;
        this.masterName = masterName;
        this.failoverHold = failoverHold;
        this.ticker = ticker;
    }

    /** A Sentinel event: a failover of the routed master starts a hold; the leader's announcement is evidence. */
    void onEvent(SentinelEvent ev, Verdict routed) {
        HostPort failingOver = ev.masterOf(masterName);
        if (ev.startsPromotion() && failingOver != null && failingOver.equals(routed.named())) {
            start("Sentinel " + ev.from() + " " + ev.name(), failoverHold, routed);
        }
        if (ev.announcesPromoted() && failingOver != null) notePromotion(new Promotion(ev.subject(), failingOver, ev.from()));
        if (ev.endsFailover()) promotion = null;
    }

    /** The leader Sentinel flags {@code failover_in_progress} while it still names the routed master: hold. */
    void onReports(List<SentinelReport> sentinels, Verdict routed) {
        for (SentinelReport r : sentinels) {
            if (r.usable() && r.promotionPending() && r.master().equals(routed.named()) && r.configEpoch() == routed.epoch()) {
                start("Sentinel " + r.sentinel() + " is failing over " + r.master(), failoverHold, routed);
            }
        }
    }

    /** A planned failover holds for at most {@code max}, even if a hold was used at this epoch already. */
    void forPlannedFailover(String why, Duration max, Verdict routed) {
        usedForEpoch = NONE;
        start(why, max, routed);
    }

    /** Evidence of a promotion (the leader's announcement, or one a planned failover observed). */
    void notePromotion(Promotion p) {
        promotion = p;
        promotionSeenNanos = ticker.nanoTime();
    }

    private void start(String why, Duration max, Verdict routed) {
        // Nothing to hold, already held once at this epoch, or the promotion is already being followed.
        if (routed.attached() == null || routed.basis() == Basis.PROMOTED || usedForEpoch == routed.epoch()) return;
        sinceEpoch = routed.epoch();
        usedForEpoch = routed.epoch();
        deadlineNanos = ticker.nanoTime() + max.toNanos();
        heldFor = max;
        log.warn("[{}] {}: holding client traffic to {} until the promoted replica is confirmed (at most {} ms)",
                frontend, why, routed.attached(), max.toMillis());
    }

    /** Whether traffic is held now; a hold whose time ran out ends here, said once. */
    boolean active() {
        if (sinceEpoch != NONE && ticker.nanoTime() - deadlineNanos > 0) {
            sinceEpoch = NONE;
            log.warn("[{}] no promotion confirmed within {} ms: releasing held traffic", frontend, heldFor.toMillis());
        }
        return sinceEpoch != NONE;
    }

    /** The epoch the hold began at, while it is on (for {@link Observation#holdSinceEpoch()}). */
    OptionalLong sinceEpoch() {
        active();
        return sinceEpoch == NONE ? OptionalLong.empty() : OptionalLong.of(sinceEpoch);
    }

    /** The announced promotion, while it still counts as evidence. */
    Optional<Promotion> promotion() {
        if (promotion != null && ticker.nanoTime() - promotionSeenNanos > PROMOTION_EVIDENCE_NANOS) promotion = null;
        return Optional.ofNullable(promotion);
    }

    /**
     * After a decision made with {@code heldSince}: the hold ends once a new master is routed (the promoted
     * replica, or the epoch moved on), and the evidence is spent once the epochs caught up.
     */
    void decided(OptionalLong heldSince, Verdict before, Verdict now) {
        if (heldSince.isPresent() && now.hasMaster() && (now.epoch() > heldSince.getAsLong() || now.basis() == Basis.PROMOTED)) {
            sinceEpoch = NONE;
        }
        if (now.epoch() > before.epoch()) promotion = null;
    }

    /** Ends a hold early (a planned failover that rolled back); true when one was on. */
    boolean release() {
        boolean was = sinceEpoch != NONE;
        sinceEpoch = NONE;
        return was;
    }
}
