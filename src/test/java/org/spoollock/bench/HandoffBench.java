package org.spoollock.bench;

import static org.spoollock.bench.BenchSupport.end;
import static org.spoollock.bench.BenchSupport.say;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.spoollock.lock.DotLock;
import org.spoollock.lock.DotLockOptions;
import org.spoollock.lock.LockState;

/**
 * One side of the dot-lock handoff benchmark, driven line by line on stdin by
 * {@code spooltest/bench/dotlock.py}, which runs two of these as separate JVMs.
 *
 * <pre>
 *   HandoffBench MAILBOX
 *     acquire       take the lock (waiting, up to 30 s): prints "waiting" before, then
 *                   "acquired NANO EPOCH_NANOS" (taken then) once it has it
 *     release MS    sleep MS ms, note the time, release: prints "released NANO EPOCH_NANOS"
 *     cycle         acquire, note the time, release at once: prints "waiting", then "acquired NANO EPOCH_NANOS"
 *     quit
 * </pre>
 *
 * NANO is System.nanoTime(), which on Linux is CLOCK_MONOTONIC and so comparable between processes
 * of one machine; EPOCH_NANOS is the wall clock, for comparisons with programs that print that.
 */
public final class HandoffBench {
    private HandoffBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: HandoffBench MAILBOX (commands on stdin)");
            System.exit(64);
        }
        Path mbox = Path.of(args[0]).toAbsolutePath();
        DotLockOptions opts = DotLockOptions.defaults();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        DotLock held = null;
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split(" +");
            switch (w[0]) {
                case "acquire":
                case "cycle": {
                    say("waiting");
                    DotLock lock = DotLock.acquire(mbox, Duration.ofSeconds(30), opts);
                    long t = System.nanoTime();
                    Instant wall = Instant.now();
                    if (w[0].equals("cycle")) {
                        end(lock.release());
                    } else {
                        held = lock;
                    }
                    say("acquired " + t + " " + epochNanos(wall));
                    break;
                }
                case "release": {
                    if (held == null) {
                        throw new IllegalStateException("release without acquire");
                    }
                    Thread.sleep(Long.parseLong(w[1]));
                    long t = System.nanoTime();
                    Instant wall = Instant.now();
                    end(held.release());
                    held = null;
                    say("released " + t + " " + epochNanos(wall));
                    break;
                }
                case "quit":
                    if (held != null) {
                        held.release();
                    }
                    return;
                default:
                    throw new IllegalArgumentException("unknown command: " + line);
            }
        }
        if (held != null) {
            held.release();
        }
    }

    private static long epochNanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

}
