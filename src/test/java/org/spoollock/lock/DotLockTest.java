package org.spoollock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.spoollock.posix.Posix;

class DotLockTest extends DotLockFixture {
    private List<String> names() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void createsAnIdentifiedMode0666LockAndRemovesItAndTheHitchingPost() throws Exception {
        DotLock lock = DotLock.acquire(mbox(), Duration.ofSeconds(1));
        assertEquals(List.of("mbox.lock"), names(), "hitching post left behind");
        String text = Files.readString(lockFile(), StandardCharsets.US_ASCII);
        assertTrue(text.startsWith(ProcessHandle.current().pid() + "\nspoollock host="), text);
        assertEquals(0666, Posix.get().lstat(lockFile().toString()).permissions());
        assertEquals(LockState.HELD, lock.check());
        assertEquals(LockState.RELEASED, lock.release());
        assertEquals(LockState.RELEASED, lock.release(), "release is idempotent");
        assertEquals(List.of(), names());
    }

    @Test
    void threadsOfOneJvmExcludeEachOther() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        int[] counter = {0};
        try {
            List<Future<?>> fs = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        try (DotLock l = DotLock.acquire(mbox(), Duration.ofSeconds(30))) {
                            if (inside.incrementAndGet() != 1) {
                                overlaps.incrementAndGet();
                            }
                            int c = counter[0];
                            Thread.yield();
                            counter[0] = c + 1;
                            inside.decrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, overlaps.get());
        assertEquals(320, counter[0]);
        assertEquals(List.of(), names());
    }

    @Test
    void theSameThreadCannotTakeItTwice() throws Exception {
        try (DotLock lock = DotLock.acquire(mbox(), Duration.ofSeconds(1))) {
            LockException e = assertThrows(LockException.class, () -> DotLock.acquire(mbox(), Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("not reentrant"), e.getMessage());
            assertEquals(LockState.HELD, lock.check());
        }
    }

    @Test
    void interruptionEndsTheWaitAndLeavesNothingBehind() throws Exception {
        Files.writeString(lockFile(), ""); // a fresh c-client lock
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                DotLock.acquire(mbox(), Duration.ofSeconds(60));
            } catch (Throwable t) {
                thrown.set(t);
                flag.set(Thread.currentThread().isInterrupted());
            }
        });
        waiter.start();
        Thread.sleep(300);
        waiter.interrupt();
        waiter.join(5000);
        assertFalse(waiter.isAlive());
        assertTrue(thrown.get() instanceof LockInterruptedException, String.valueOf(thrown.get()));
        assertTrue(flag.get(), "interrupt status must be set again");
        assertEquals(List.of("mbox.lock"), names());
        assertEquals("", Files.readString(lockFile()), "the other holder's lock was touched");
    }

    @Test
    void timeoutNamesTheHolder() throws Exception {
        Files.writeString(lockFile(), "6902\n");
        LockTimeoutException e = assertThrows(LockTimeoutException.class,
                () -> DotLock.acquire(mbox(), Duration.ofMillis(200)));
        assertTrue(e.getMessage().contains(lockFile().toString()) && e.getMessage().contains("pid 6902"), e.getMessage());
        assertNotNull(e.holderStatus());
        assertEquals(6902, e.holderStatus().holder().pid());
        assertTrue(DotLock.tryAcquire(mbox(), OPTS).isEmpty());
        assertEquals(List.of("mbox.lock"), names());
    }

    @Test
    void aSymlinkAtTheLockNameIsNeverFollowedNorRemoved() throws Exception {
        Path target = dir.resolve("precious");
        Files.writeString(target, "keep me");
        Files.createSymbolicLink(lockFile(), target);
        LockSecurityException e = assertThrows(LockSecurityException.class,
                () -> DotLock.acquire(mbox(), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("symbolic link") && e.getMessage().contains(lockFile().toString()));
        assertTrue(Files.isSymbolicLink(lockFile()));
        assertEquals("keep me", Files.readString(target));
        assertThrows(LockSecurityException.class, () -> DotLock.inspect(mbox(), OPTS));
    }

    @Test
    void aSymlinkAtTheHitchingPostNameIsRefused() throws Exception {
        Path target = dir.resolve("precious");
        Files.writeString(target, "keep me");
        Posix p = Posix.get();
        long now = System.currentTimeMillis() / 1000;
        for (long t = now; t < now + 3; t++) {
            Files.createSymbolicLink(dir.resolve("mbox.lock." + t + "." + p.getpid() + "." + p.hostname()), target);
        }
        LockSecurityException e = assertThrows(LockSecurityException.class,
                () -> DotLock.acquire(mbox(), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("hitching-post"), e.getMessage());
        assertEquals("keep me", Files.readString(target));
        assertFalse(Files.exists(lockFile(), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aFifoAtTheLockNameIsRefusedWithoutBlocking() throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", lockFile().toString()).start().waitFor());
        LockSecurityException e = assertThrows(LockSecurityException.class,
                () -> DotLock.acquire(mbox(), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("FIFO"), e.getMessage());
    }

    @Test
    void deadHoldersAndReusedPidsAreBrokenAtOnceLiveOnesNever() throws Exception {
        LockHolder self = LockHolder.self();
        String host = self.host();
        long start = self.startTicks().getAsLong();
        // Our own PID with our start time: a live holder.
        Files.writeString(lockFile(), self.pid() + "\nspoollock host=" + host + " start=" + start + " boot=" + self.bootId() + "\n");
        assertTrue(DotLock.tryAcquire(mbox(), OPTS).isEmpty(), "broke a live holder's lock");
        assertEquals(DotLockStatus.Liveness.ALIVE, DotLock.inspect(mbox(), OPTS).holderLiveness());
        // Same PID, other start time: the PID was reused, the holder is gone.
        for (String stale : List.of(
                self.pid() + "\nspoollock host=" + host + " start=" + (start + 1) + " boot=" + self.bootId() + "\n",
                self.pid() + "\nspoollock host=" + host + " start=" + start + " boot=another-boot\n")) {
            Files.writeString(lockFile(), stale);
            assertEquals(DotLockStatus.Liveness.DEAD, DotLock.inspect(mbox(), OPTS).holderLiveness());
            assertTrue(DotLock.tryAcquire(mbox(), OPTS.withBreakDeadHolders(false)).isEmpty());
            Optional<DotLock> l = DotLock.tryAcquire(mbox(), OPTS);
            assertTrue(l.isPresent(), "did not break " + stale);
            l.get().release();
        }
        // Another host's process cannot be checked from here: wait for the stale time.
        Files.writeString(lockFile(), "1\nspoollock host=elsewhere.example start=1 boot=x\n");
        assertEquals(DotLockStatus.Liveness.UNKNOWN, DotLock.inspect(mbox(), OPTS).holderLiveness());
        assertTrue(DotLock.tryAcquire(mbox(), OPTS).isEmpty());
    }

    @Test
    void heldLocksAreRenewedSoTheyNeverLookStale() throws Exception {
        // Held for twice the stale period; renewed every 300 ms (plus at most one 200 ms sweep), so it
        // never gets near stale even if this machine stalls for a second or two.
        DotLockOptions quick = OPTS.withStaleAfter(Duration.ofSeconds(3)).withRenewEvery(Duration.ofMillis(300));
        try (DotLock lock = DotLock.acquire(mbox(), Duration.ofSeconds(1), quick)) {
            Thread.sleep(6000);
            DotLockStatus s = DotLock.inspect(mbox(), quick);
            // not stale after twice the stale period: renewed (no bound on the age itself, which a stalled
            // machine could stretch without anything being wrong)
            assertFalse(s.stale(), s.describe());
            assertEquals(LockState.HELD, lock.check());
        }
        // Without renewal the same lock does go stale: the check above can fail.
        Files.writeString(lockFile(), "");
        Thread.sleep(3100);
        assertTrue(DotLock.inspect(mbox(), quick).stale());
    }

    @Test
    void releaseReportsLostAndStolenAndLeavesTheOtherLockAlone() throws Exception {
        DotLock lost = DotLock.acquire(mbox(), Duration.ofSeconds(1));
        Files.delete(lockFile());
        assertEquals(LockState.LOST, lost.check());
        assertEquals(LockState.LOST, lost.release());

        DotLock stolen = DotLock.acquire(mbox(), Duration.ofSeconds(1));
        Files.delete(lockFile());
        Files.writeString(lockFile(), "777\n");
        assertEquals(LockState.STOLEN, stolen.release());
        assertEquals("777\n", Files.readString(lockFile()));
    }

    @Test
    void onFilesystemsThatRenumberInodesTheContentsTellOurLockFromAnothers() throws Exception {
        // sshfs numbers inodes per path, so our file can look like another; its bytes cannot.
        DotLock lock = DotLock.acquire(mbox(), Duration.ofSeconds(1));
        String ours = Files.readString(lockFile());
        assertTrue(ours.matches("(?s)\\d+\nspoollock host=\\S+ start=\\d+ boot=\\S+ lock=[0-9a-f]+\n"), ours);
        Files.delete(lockFile());
        Files.writeString(lockFile(), ours); // same bytes, new inode
        assertEquals(LockState.HELD, lock.check());
        Files.delete(lockFile());
        Files.writeString(lockFile(), ours.replaceFirst("lock=[0-9a-f]+", "lock=0")); // another acquisition's
        assertEquals(LockState.STOLEN, lock.check());
        assertEquals(LockState.STOLEN, lock.release());
        assertTrue(Files.exists(lockFile()), "another's lock must be left alone");
        Files.delete(lockFile());
        DotLock again = DotLock.acquire(mbox(), Duration.ofSeconds(1));
        assertTrue(!Files.readString(lockFile()).equals(ours), "each acquisition has its own token");
        Files.delete(lockFile());
        assertEquals(LockState.LOST, again.release(), "a lock removed before release was lost, not an error");
    }

    @Test
    void aMissingDirectoryIsAClearError() {
        Path nowhere = dir.resolve("no/such/dir/mbox");
        LockException e = assertThrows(LockException.class, () -> DotLock.acquire(nowhere, Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("does not exist") && e.getMessage().contains("no/such/dir"), e.getMessage());
    }

    @Test
    void optionsRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> OPTS.withStaleAfter(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> OPTS.withRenewEvery(Duration.ofSeconds(300)));
    }
}
