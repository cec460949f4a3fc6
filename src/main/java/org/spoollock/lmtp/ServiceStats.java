package org.spoollock.lmtp;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters for the statistics line: connections, deliveries by outcome, and the latency of the last
 * deliveries (a ring of the last 4096, from the end of DATA to the reply) for p50 and p99.
 */
final class ServiceStats {
    private static final int RING = 4096;

    final AtomicInteger open = new AtomicInteger();
    final AtomicLong connections = new AtomicLong();
    final AtomicLong refusedConnections = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong temporaryFailures = new AtomicLong();
    final AtomicLong permanentFailures = new AtomicLong();
    private final long[] latencyMicros = new long[RING];
    private long samples;

    void delivery(Reply outcome, long micros) {
        if (outcome.positive()) {
            delivered.incrementAndGet();
        } else if (outcome.temporary()) {
            temporaryFailures.incrementAndGet();
        } else {
            permanentFailures.incrementAndGet();
        }
        synchronized (latencyMicros) {
            latencyMicros[(int) (samples++ % RING)] = micros;
        }
    }

    /** {p50, p99} in microseconds of the deliveries kept, or {0, 0}. */
    long[] percentiles() {
        long[] copy;
        synchronized (latencyMicros) {
            copy = Arrays.copyOf(latencyMicros, (int) Math.min(samples, RING));
        }
        if (copy.length == 0) {
            return new long[] {0, 0};
        }
        Arrays.sort(copy);
        return new long[] {copy[(copy.length - 1) / 2], copy[(int) Math.ceil(copy.length * 0.99) - 1]};
    }

    Object[] fields() {
        long[] p = percentiles();
        return new Object[] {"open", open.get(), "connections", connections.get(), "refused_connections",
                refusedConnections.get(), "delivered", delivered.get(), "temporary_failures", temporaryFailures.get(),
                "permanent_failures", permanentFailures.get(), "p50_ms", String.format(java.util.Locale.ROOT, "%.1f", p[0] / 1e3),
                "p99_ms", String.format(java.util.Locale.ROOT, "%.1f", p[1] / 1e3)};
    }
}
