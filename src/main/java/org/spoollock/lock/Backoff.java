package org.spoollock.lock;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter from 0.5 ms up to a ceiling, so a lock released after 10 ms is
 * seen within a few ms (c-client sleeps a whole second), while waiters on a long-held lock cost a
 * stat every few ms and do not retry in lockstep.
 */
public final class Backoff {
    private final long maxNanos;
    private long nextNanos = 500_000;

    /** @param maxNanos the longest single sleep */
    public Backoff(long maxNanos) {
        this.maxNanos = Math.max(maxNanos, 500_000);
    }

    /** The nanoTime deadline {@code timeout} from now; null (wait forever) gives Long.MAX_VALUE, as {@link #sleep} expects. */
    public static long deadlineAfter(java.time.Duration timeout) {
        return timeout == null ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, timeout.toNanos());
    }

    /** Sleeps the next interval, never past the deadline (nanoTime); throws if interrupted. */
    public void sleep(long deadlineNanos) throws InterruptedException {
        long jittered = nextNanos / 2 + ThreadLocalRandom.current().nextLong(nextNanos / 2 + 1);
        nextNanos = Math.min(maxNanos, nextNanos * 2);
        if (deadlineNanos != Long.MAX_VALUE) {
            jittered = Math.min(jittered, Math.max(0, deadlineNanos - System.nanoTime()));
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (jittered > 0) {
            Thread.sleep(jittered / 1_000_000, (int) (jittered % 1_000_000));
        }
    }
}
