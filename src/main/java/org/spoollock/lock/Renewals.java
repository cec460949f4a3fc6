package org.spoollock.lock;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread that touches every held dot-lock of this JVM before it could look stale.
 *
 * <p>Held locks sit in a map with the time their next renewal is due; a sweep every
 * {@link #SWEEP} renews those that are due. Taking and releasing a lock only adds to and removes
 * from the map, so short holds (the common case) never wake the renewal thread; the sweep runs only
 * while some lock is held. A renewal is therefore at most one sweep late: renewEvery defaults to a
 * third of the stale period, far more slack than that.
 */
final class Renewals {
    static final Duration SWEEP = Duration.ofMillis(200);
    private static final ScheduledThreadPoolExecutor EXECUTOR;
    private static final ConcurrentHashMap<DotLock, Long> DUE = new ConcurrentHashMap<>();
    private static ScheduledFuture<?> sweeper;

    static {
        EXECUTOR = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "spoollock-dotlock-renewal");
            t.setDaemon(true);
            return t;
        });
        EXECUTOR.setRemoveOnCancelPolicy(true);
    }

    private Renewals() {
    }

    static void add(DotLock lock, Duration every) {
        DUE.put(lock, System.nanoTime() + every.toNanos());
        synchronized (Renewals.class) {
            if (sweeper == null) {
                long p = SWEEP.toNanos();
                sweeper = EXECUTOR.scheduleWithFixedDelay(Renewals::sweep, p, p, TimeUnit.NANOSECONDS);
            }
        }
    }

    static void remove(DotLock lock) {
        DUE.remove(lock);
    }

    private static void sweep() {
        long now = System.nanoTime();
        DUE.forEach((lock, due) -> {
            if (now - due >= 0) {
                DUE.computeIfPresent(lock, (l, d) -> now + l.renewEvery().toNanos());
                lock.renewQuietly();
            }
        });
        synchronized (Renewals.class) {
            if (DUE.isEmpty() && sweeper != null) {
                sweeper.cancel(false);
                sweeper = null;
            }
        }
    }
}
