package org.spoollock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Breaking a stale or abandoned dot-lock, as seen by other programs and by breakers on other hosts.
 */
class DotLockBreakTest extends DotLockFixture {
    /**
     * A breaker that removed the dead lock and then linked its own left the name free for a moment,
     * and Python's mailbox, polling every 10 ms, got it there: it then read, or appended after, a
     * killed writer's half-written message (or a half-applied rewrite) that only we know how to
     * finish (spooltest/torture, on sshfs, where that moment lasts milliseconds). The dead lock must
     * be replaced in one rename: the directory never shows the lock name deleted (inotify).
     */
    @Test
    void breakingADeadHoldersLockNeverLeavesTheNameFree() throws Exception {
        Files.writeString(lockFile(), TestHolders.deadHolderOnThisHost(), StandardCharsets.US_ASCII);
        assertNoDeleteOfTheLockName(() -> DotLock.tryAcquire(mbox(), OPTS));
        // an old lock (c-client's empty one) likewise
        Files.writeString(lockFile(), "", StandardCharsets.US_ASCII);
        Thread.sleep(1100);
        assertNoDeleteOfTheLockName(() -> DotLock.tryAcquire(mbox(), OPTS.withStaleAfter(Duration.ofSeconds(1))));
    }

    /**
     * Where rename cannot replace a file in one step (NFS: the client moves an open target aside
     * first), a dead or stale lock is taken over in place: the name is never free (Python's mailbox
     * got it in that moment over NFS and read a killed writer's half message), the file keeps its
     * inode and holds our identity.
     */
    @Test
    void onNfsADeadOrStaleLockIsTakenOverInPlace() throws Exception {
        org.spoollock.posix.Stat d = org.spoollock.posix.Posix.get().stat(dir.toString());
        FileSystemInfo.judgeDeviceAs(d.dev(), "nfs4");
        try {
            Files.writeString(lockFile(), TestHolders.deadHolderOnThisHost(), StandardCharsets.US_ASCII);
            Object before = Files.getAttribute(lockFile(), "unix:ino");
            assertNoDeleteOfTheLockName(() -> {
                Optional<DotLock> l = DotLock.tryAcquire(mbox(), OPTS);
                assertEquals(before, Files.getAttribute(lockFile(), "unix:ino"), "the lock file was replaced");
                assertTrue(Files.readString(lockFile(), StandardCharsets.US_ASCII).contains(" host=")
                        && !Files.readString(lockFile(), StandardCharsets.US_ASCII).contains("start=1 "),
                        "the lock file does not name us: " + Files.readString(lockFile(), StandardCharsets.US_ASCII));
                return l;
            });
            // a live process's lock, stale by age (a stopped holder): taken over in place too
            String live = ProcessHandle.current().pid() + "\nspoollock host=" + LockHolder.self().host() + "\n";
            Files.writeString(lockFile(), live, StandardCharsets.US_ASCII);
            Object liveIno = Files.getAttribute(lockFile(), "unix:ino");
            Thread.sleep(1100);
            assertNoDeleteOfTheLockName(() -> {
                Optional<DotLock> l = DotLock.tryAcquire(mbox(), OPTS.withStaleAfter(Duration.ofSeconds(1)));
                assertEquals(liveIno, Files.getAttribute(lockFile(), "unix:ino"), "a stale lock was replaced");
                return l;
            });
        } finally {
            FileSystemInfo.judgeDeviceAs(d.dev(), null);
        }
    }

    /**
     * The other side of the in-place takeover: a holder whose lock file got another holder's bytes (its
     * inode unchanged) sees its lock taken, on filesystems where breakers take over in place; on local
     * ones (rename) the inode decides, as before.
     */
    @Test
    void onNfsAHolderWhoseLockFileGotOtherBytesSeesItStolen() throws Exception {
        org.spoollock.posix.Stat d = org.spoollock.posix.Posix.get().stat(dir.toString());
        FileSystemInfo.judgeDeviceAs(d.dev(), "nfs4");
        try (DotLock l = DotLock.acquire(mbox(), Duration.ofSeconds(5), OPTS)) {
            assertEquals(LockState.HELD, l.check());
            byte[] ours = Files.readAllBytes(lockFile());
            byte[] theirs = ours.clone();
            theirs[theirs.length - 2] ^= 1; // same length: another acquisition's token
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile(),
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(theirs), 0);
            }
            assertEquals(LockState.STOLEN, l.check(), "the same inode with another holder's bytes");
            assertEquals(LockState.STOLEN, l.release());
            assertTrue(Files.exists(lockFile()), "their lock left alone");
            Files.delete(lockFile());
        } finally {
            FileSystemInfo.judgeDeviceAs(d.dev(), null);
        }
    }

    /**
     * Breaking a dead holder's lock also removes the hitching posts dead processes of this host left
     * (a locker killed between creating its post and removing it; nobody else ever removes one), and
     * only those: not a live process's, another host's, a fresh one, or anything but a regular file.
     */
    @Test
    void breakingADeadHoldersLockRemovesDeadLockersHitchingPostsAndOnlyThose() throws Exception {
        Files.writeString(lockFile(), TestHolders.deadHolderOnThisHost(), StandardCharsets.US_ASCII);
        String host = org.spoollock.posix.Posix.get().hostname();
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long gone = p.pid();
        long now = System.currentTimeMillis() / 1000;
        Path dead = post(now - 300, gone, host, 300);
        Path fresh = post(now, gone, host, 0);
        Path live = post(now - 300, ProcessHandle.current().pid(), host, 300);
        Path otherHost = post(now - 300, gone, host + "-elsewhere", 300);
        Path link = dir.resolve("mbox.lock." + (now - 200) + "." + gone + "." + host);
        Files.createSymbolicLink(link, dir.resolve("elsewhere"));
        Optional<DotLock> l = DotLock.tryAcquire(mbox(), OPTS);
        assertTrue(l.isPresent(), "did not break the lock");
        l.get().close();
        assertFalse(Files.exists(dead, java.nio.file.LinkOption.NOFOLLOW_LINKS), "a dead locker's old post");
        for (Path kept : List.of(fresh, live, otherHost, link)) {
            assertTrue(Files.exists(kept, java.nio.file.LinkOption.NOFOLLOW_LINKS), "kept: " + kept.getFileName());
        }
    }

    private Path post(long time, long pid, String host, long ageSeconds) throws Exception {
        Path p = dir.resolve("mbox.lock." + time + "." + pid + "." + host);
        Files.writeString(p, pid + "\n", StandardCharsets.US_ASCII);
        Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - ageSeconds * 1000));
        return p;
    }

    private interface Taker {
        Optional<DotLock> take() throws Exception;
    }

    private void assertNoDeleteOfTheLockName(Taker taker) throws Exception {
        try (WatchService w = FileSystems.getDefault().newWatchService()) {
            WatchKey key = dir.register(w, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
            Optional<DotLock> l = taker.take();
            assertTrue(l.isPresent(), "did not break the lock");
            // inotify keeps order: once our marker's creation is seen, every earlier event was too
            Path marker = Files.createFile(dir.resolve("marker-" + System.nanoTime()));
            List<String> deleted = new ArrayList<>();
            boolean sawMarker = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!sawMarker && System.nanoTime() < deadline) {
                WatchKey k = w.poll(100, TimeUnit.MILLISECONDS);
                if (k == null) {
                    continue;
                }
                for (WatchEvent<?> e : k.pollEvents()) {
                    String name = String.valueOf(e.context());
                    if (e.kind() == StandardWatchEventKinds.ENTRY_DELETE) {
                        deleted.add(name);
                    }
                    sawMarker |= name.equals(marker.getFileName().toString());
                }
                k.reset();
            }
            key.cancel();
            assertTrue(sawMarker, "inotify did not report our marker file");
            assertFalse(deleted.contains("mbox.lock"), "the lock name was free for a moment while the lock was"
                    + " broken (deleted names seen: " + deleted + ")");
            assertEquals(LockState.HELD, l.get().check());
            assertEquals(LockState.RELEASED, l.get().release());
            Files.delete(marker);
        }
    }

    /**
     * Breakers on different hosts of a network filesystem cannot take turns through flock (each
     * client has its own); they do through {@code <lock>.break}. While another host's breaker holds
     * it, we must not break the lock; one left by a breaker that died is removed once stale.
     */
    @Test
    void anotherHostsBreakerIsWaitedForUntilItsBreakLockIsStale() throws Exception {
        String dead = TestHolders.deadHolderOnThisHost();
        Files.writeString(lockFile(), dead, StandardCharsets.US_ASCII);
        Path breakLock = dir.resolve("mbox.lock.break");
        String otherHost = "4242\nspoollock host=elsewhere.example start=7 boot=x lock=0123456789abcdef\n";
        Files.writeString(breakLock, otherHost, StandardCharsets.US_ASCII);
        DotLockOptions opts = OPTS.withStaleAfter(Duration.ofSeconds(2));
        assertTrue(DotLock.tryAcquire(mbox(), opts).isEmpty(), "broke the lock while another host's breaker was at it");
        assertEquals(dead, Files.readString(lockFile(), StandardCharsets.US_ASCII));
        assertEquals(otherHost, Files.readString(breakLock, StandardCharsets.US_ASCII), "took a live breaker's turn");
        Thread.sleep(2100); // that breaker has been at it for longer than the stale time: it died
        Optional<DotLock> l = DotLock.tryAcquire(mbox(), opts);
        assertTrue(l.isPresent(), "a dead breaker's break lock blocked breaking for good");
        assertFalse(Files.exists(breakLock), "break lock left behind");
        assertEquals(LockState.RELEASED, l.get().release());
        try (var s = Files.list(dir)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).toList(), "files left behind");
        }
    }
}
