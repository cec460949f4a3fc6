package org.spoollock.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.spoollock.lock.LockState;

/** What the benchmark mains share: timed batches, the C floor's batches, and the stdin/stdout protocol. */
final class BenchSupport {
    private static final Pattern RAW_MEDIAN = Pattern.compile("\"median_ns_per_cycle\": *(\\d+)");

    private BenchSupport() {
    }

    /** One way of doing a lock cycle. */
    interface Cycle {
        void run() throws Exception;
    }

    /** A timed batch of N cycles, in ns per cycle. */
    interface Batch {
        long run(long n) throws Exception;
    }

    static void repeat(Cycle c, long n) throws Exception {
        for (long i = 0; i < n; i++) {
            c.run();
        }
    }

    static Batch timed(Cycle c) {
        return n -> {
            long t0 = System.nanoTime();
            repeat(c, n);
            return (System.nanoTime() - t0) / n;
        };
    }

    /** One batch of a C floor (spooltest/c/bench-*-raw.c) in a child process, with a short untimed warm-up of its own. */
    static Batch raw(String binary, Path dir) {
        return n -> {
            Process p = new ProcessBuilder(binary, dir.toString(), Long.toString(n), "1", Long.toString(Math.min(n, 500)))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            if (p.waitFor() != 0) {
                throw new IOException(binary + " failed (exit " + p.exitValue() + ")");
            }
            Matcher m = RAW_MEDIAN.matcher(out);
            if (!m.find()) {
                throw new IOException(binary + " printed no figure: " + out);
            }
            return Long.parseLong(m.group(1));
        };
    }

    /** A benchmark's lock must end cleanly, or its figures mean nothing. */
    static void end(LockState s) {
        if (s != LockState.RELEASED) {
            throw new IllegalStateException("lock ended " + s);
        }
    }

    /** One line to the driving script, flushed at once. */
    static void say(String s) {
        System.out.println(s);
        System.out.flush();
    }
}
