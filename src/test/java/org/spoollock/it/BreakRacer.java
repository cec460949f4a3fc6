package org.spoollock.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.spoollock.lock.DotLock;
import org.spoollock.lock.DotLockOptions;
import org.spoollock.lock.LockState;

/**
 * One of several processes racing to break the same stale locks (run by {@link BreakRaceIT}).
 * Args: DIR ROUNDS ID. For each round r it waits for DIR/go-r, then tries once to take
 * DIR/mbox-r (breaking its stale lock) and writes DIR/result-r-ID as "won" or "lost". Locks it won
 * stay held until DIR/finish appears; then it releases them and exits 0 only if each release was clean.
 */
public final class BreakRacer {
    /** The racers' locks DIR/mbox-r.lock: abandoned ones of ours (even r) and c-client's empty ones (odd r, stale once old). */
    static void seedStaleLocks(Path dir, int rounds) throws Exception {
        String dead = org.spoollock.lock.TestHolders.deadHolderOnThisHost();
        for (int r = 0; r < rounds; r++) {
            Files.writeString(dir.resolve("mbox-" + r + ".lock"), r % 2 == 0 ? dead : "",
                    java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    /** Waits until DIR holds {@code count} files named {@code prefix}*, the racers' way of reporting in. */
    static void waitFor(Path dir, String prefix, int count, int seconds) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            try (var s = Files.list(dir)) {
                if (s.filter(p -> p.getFileName().toString().startsWith(prefix)).count() >= count) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + count + " files " + dir + "/" + prefix + "*");
            }
            Thread.sleep(2);
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        String id = args[2];
        // 3 s: a winner renews every third of it, and sshfs shows times in whole seconds, so a held lock
        // can look up to a second older than it is; with 2 s, a renewal late by a third of a second on a
        // busy machine would let a breaker take a live lock, rightly, and the round would have two winners
        DotLockOptions opts = DotLockOptions.defaults().withStaleAfter(Duration.ofSeconds(3));
        List<DotLock> won = new ArrayList<>();
        Files.writeString(dir.resolve("ready-" + id), "");
        for (int r = 0; r < rounds; r++) {
            Path go = dir.resolve("go-" + r);
            while (!Files.exists(go)) {
                Thread.onSpinWait();
            }
            Optional<DotLock> lock = DotLock.tryAcquire(dir.resolve("mbox-" + r), opts);
            lock.ifPresent(won::add);
            // Published by rename: the test reads a result as soon as its name appears, so it must never
            // see a created-but-not-yet-written file.
            Path tmp = dir.resolve("tmp-result-" + r + "-" + id);
            Files.writeString(tmp, lock.isPresent() ? "won" : "lost");
            Files.move(tmp, dir.resolve("result-" + r + "-" + id), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        while (!Files.exists(dir.resolve("finish"))) {
            Thread.sleep(5);
        }
        int bad = 0;
        for (DotLock l : won) {
            LockState end = l.release();
            if (end != LockState.RELEASED) {
                System.err.println(l.lockPath() + " ended " + end);
                bad++;
            }
        }
        System.exit(bad == 0 ? 0 : 1);
    }
}
