package org.spoollock.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.spoollock.store.mbox.MboxIndex;

/**
 * In-process parse throughput of an mbox (not a test: it asserts nothing about speed): WARMUP untimed
 * {@code MboxIndex.scan(file)} (JIT, page cache), then N timed ones, each the whole file, opened,
 * parsed exactly as c-client's unix driver parses and closed. Run by {@code spooltest/bench/mbox.py};
 * prints one JSON object on stdout.
 *
 * <pre>
 *   MboxParseBench FILE WARMUP N
 * </pre>
 *
 * Throughput is bytes / time of a scan, in GB/s with GB = 10^9 bytes.
 */
public final class MboxParseBench {
    private MboxParseBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: MboxParseBench FILE WARMUP N");
            System.exit(64);
        }
        Path file = Path.of(args[0]);
        int warmup = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        long bytes = Files.size(file);
        int count = -1;
        long w0 = System.nanoTime();
        for (int i = 0; i < warmup; i++) {
            count = check(count, MboxIndex.scan(file).count());
        }
        long warmupMs = (System.nanoTime() - w0) / 1_000_000;
        long[] ns = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            MboxIndex index = MboxIndex.scan(file);
            ns[i] = System.nanoTime() - t0;
            count = check(count, index.count());
        }
        long[] s = ns.clone();
        Arrays.sort(s);
        long median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        System.out.println("{\"file_bytes\": " + bytes + ", \"count\": " + count + ", \"warmup\": " + warmup
                + ", \"warmup_ms\": " + warmupMs + ", \"n\": " + n + ", \"scan_ns\": "
                + Arrays.stream(ns).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]"))
                + ", \"median_ns\": " + median + ", \"best_ns\": " + s[0]
                + ", \"gb_per_s_median\": " + String.format(Locale.ROOT, "%.3f", bytes / (double) median)
                + ", \"gb_per_s_best\": " + String.format(Locale.ROOT, "%.3f", bytes / (double) s[0])
                + ", \"gb_per_s_each\": " + Arrays.stream(ns).mapToObj(x -> String.format(Locale.ROOT, "%.3f", bytes / (double) x))
                        .collect(Collectors.joining(", ", "[", "]"))
                + "}");
    }

    /** Every scan of the same file must find the same number of messages. */
    private static int check(int before, int now) {
        if (before >= 0 && before != now) {
            throw new IllegalStateException("scans disagree: " + before + " then " + now + " messages");
        }
        return now;
    }
}
