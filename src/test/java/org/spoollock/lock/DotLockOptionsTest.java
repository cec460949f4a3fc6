package org.spoollock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class DotLockOptionsTest {
    /** The renewal period is a third of the stale period, exactly as Duration.dividedBy(3) gives it. */
    @Test
    void aThirdIsWhatDurationDividedByGives() {
        SplittableRandom r = new SplittableRandom(26);
        for (int i = 0; i < 100_000; i++) {
            long seconds = switch (i % 3) {
                case 0 -> r.nextLong(10);
                case 1 -> r.nextLong(1_000_000);
                default -> r.nextLong(Long.MAX_VALUE / 2);
            };
            Duration d = Duration.ofSeconds(seconds, r.nextInt(1_000_000_000));
            assertEquals(d.dividedBy(3), DotLockOptions.third(d), d.toString());
            assertEquals(d.negated().dividedBy(3), DotLockOptions.third(d.negated()), d.negated().toString());
        }
        for (Duration d : new Duration[] {Duration.ZERO, Duration.ofNanos(1), Duration.ofNanos(2), Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(300), Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)}) {
            assertEquals(d.dividedBy(3), DotLockOptions.third(d), d.toString());
        }
        assertEquals(Duration.ofSeconds(100), DotLockOptions.defaults().renewEvery());
        assertEquals(Duration.ofMinutes(10).dividedBy(3), DotLockOptions.defaults().withStaleAfter(Duration.ofMinutes(10)).renewEvery());
    }
}
