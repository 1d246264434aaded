package dev.ferry.proxy;

import dev.ferry.config.FrontendConfig;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A session's waits: for a master while none is known (commands get {@code -MASTERDOWN} after
 * wait-for-master), and for the replies still due from a node that stopped being master (the session is
 * cut after move-timeout). Two timers, two settings, one meaning each.
 */
final class SessionTimers {
    private static final long RETRY_MILLIS = 20;

    private final ClientSession session;
    private final FrontendConfig config;
    private ScheduledFuture<?> waitTimer;
    private ScheduledFuture<?> moveTimer;
    private ScheduledFuture<?> retry;
    private Consumer<Router.Route> waiter;
    private boolean counted;

    SessionTimers(ClientSession session, FrontendConfig config) {
        this.session = session;
        this.config = config;
    }

    Consumer<Router.Route> waiter() {
        return waiter;
    }

    /** No usable route: be called again when the router has one; commands waiting start the wait clock. */
    void waitForRoute(boolean commandsWaiting, Router.Route seen) {
        if (waiter == null) {
            Consumer<Router.Route> w = r -> session.client().eventLoop().execute(() -> {
                waiter = null;
                session.pump();
            });
            waiter = w;
            session.up.router.waitForRoute(w, seen);
        }
        if (commandsWaiting) startWaitClock();
    }

    /** Commands are waiting: they get -MASTERDOWN if no master can take them within wait-for-master. */
    void startWaitClock() {
        if (waitTimer == null) {
            if (!counted) {
                counted = true;
                session.up.router.stats().waited.increment();
                session.up.router.stats().waitingNow.increment();
            }
            waitTimer = session.client().eventLoop().schedule(this::waitEnded, config.waitForMaster().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void waitEnded() {
        waitTimer = null;
        uncount();
        session.waitTimedOut();
    }

    /** A route is usable again: the wait for a master is over. */
    void routed() {
        if (waitTimer != null) {
            waitTimer.cancel(false);
            waitTimer = null;
        }
        uncount();
    }

    void stopWaiting() {
        if (waiter != null) session.up.router.stopWaiting(waiter);
        waiter = null;
        routed();
    }

    private void uncount() {
        if (counted) {
            counted = false;
            session.up.router.stats().waitingNow.decrement();
        }
    }

    /** A connection could not be made: try again shortly (the wait clock keeps running). */
    void retrySoon() {
        if (retry != null) return;
        startWaitClock();
        retry = session.client().eventLoop().schedule(() -> {
            retry = null;
            session.pump();
        }, RETRY_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The session's node stopped being master, or refused a write: its replies are awaited, bounded. */
    void startMove() {
        cancelMove();
        moveTimer = session.client().eventLoop().schedule(() -> {
            moveTimer = null;
            session.moveTimedOut();
        }, config.moveTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    void cancelMove() {
        if (moveTimer != null) {
            moveTimer.cancel(false);
            moveTimer = null;
        }
    }

    void cancelAll() {
        stopWaiting();
        cancelMove();
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
    }
}
