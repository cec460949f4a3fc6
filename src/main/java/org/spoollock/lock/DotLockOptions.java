package org.spoollock.lock;

import java.time.Duration;
import java.util.Objects;

/**
 * How dot-locks are taken. Immutable; start from {@link #defaults()} and change what you need:
 * {@code DotLockOptions.defaults().withStaleAfter(Duration.ofMinutes(10))}.
 *
 * @param staleAfter   a lock unchanged this long (on the file server's clock) is broken; c-client uses 5 minutes
 * @param renewEvery   how often a held lock is touched so nobody takes it for stale; must be well below staleAfter
 * @param breakDeadHolders break at once a lock whose holder on this host no longer runs
 * @param maxPoll      the longest sleep between two attempts while waiting for another process
 * @param helper       path of the setgid {@code dotlockfile} helper to lock through when the spool
 *                     directory is not writable for us, or null to fail with a clear error instead
 */
public record DotLockOptions(Duration staleAfter, Duration renewEvery, boolean breakDeadHolders,
                             Duration maxPoll, String helper) {

    public static final Duration C_CLIENT_STALE_AFTER = Duration.ofSeconds(300);

    public DotLockOptions {
        Objects.requireNonNull(staleAfter, "staleAfter");
        Objects.requireNonNull(renewEvery, "renewEvery");
        Objects.requireNonNull(maxPoll, "maxPoll");
        if (staleAfter.isNegative() || staleAfter.isZero()) {
            throw new IllegalArgumentException("staleAfter must be positive: " + staleAfter);
        }
        if (renewEvery.isNegative() || renewEvery.isZero() || renewEvery.compareTo(staleAfter) >= 0) {
            throw new IllegalArgumentException("renewEvery (" + renewEvery + ") must be positive and below staleAfter ("
                    + staleAfter + ")");
        }
        if (maxPoll.isNegative() || maxPoll.isZero()) {
            throw new IllegalArgumentException("maxPoll must be positive: " + maxPoll);
        }
    }

    /** c-client's 5-minute stale period, renewal every 100 s, dead holders broken at once, 8 ms polling. */
    public static DotLockOptions defaults() {
        return new DotLockOptions(C_CLIENT_STALE_AFTER, third(C_CLIENT_STALE_AFTER), true,
                Duration.ofMillis(8), null);
    }

    /**
     * A third of a duration, rounded down to the nanosecond as {@link Duration#dividedBy(long)} rounds, without
     * its BigDecimal arithmetic: the first use of BigDecimal initializes it (about 15 ms of a one-message
     * command's start on JDK 25). Negative and zero durations (refused by the constructor) go the JDK's way.
     */
    static Duration third(Duration d) {
        if (d.isNegative() || d.isZero()) {
            return d.dividedBy(3);
        }
        long s = d.getSeconds();
        return Duration.ofSeconds(s / 3, ((s % 3) * 1_000_000_000L + d.getNano()) / 3);
    }

    /** Sets the stale period, and renewal to a third of it. */
    public DotLockOptions withStaleAfter(Duration stale) {
        return new DotLockOptions(stale, third(stale), breakDeadHolders, maxPoll, helper);
    }

    public DotLockOptions withRenewEvery(Duration every) {
        return new DotLockOptions(staleAfter, every, breakDeadHolders, maxPoll, helper);
    }

    public DotLockOptions withBreakDeadHolders(boolean yes) {
        return new DotLockOptions(staleAfter, renewEvery, yes, maxPoll, helper);
    }

    public DotLockOptions withMaxPoll(Duration poll) {
        return new DotLockOptions(staleAfter, renewEvery, breakDeadHolders, poll, helper);
    }

    public DotLockOptions withHelper(String path) {
        return new DotLockOptions(staleAfter, renewEvery, breakDeadHolders, maxPoll, path);
    }
}
