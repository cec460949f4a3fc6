package org.spoollock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.posix.Posix;
import org.spoollock.posix.RecordLocks;
import org.spoollock.posix.Stat;

class MailboxLockTest {
    private static final MailboxLockOptions ALL = MailboxLockOptions.defaults().withProfile(LockProfile.ALL);

    @TempDir
    Path dir;
    Path mbox;

    @BeforeEach
    void mailbox() throws Exception {
        mbox = dir.resolve("mbox");
        Files.writeString(mbox, "");
    }

    private List<KernelLocks.Entry> kernelLocks() throws Exception {
        return KernelLocks.on(Posix.get().stat(mbox.toString()));
    }

    @Test
    void takesEveryLayerAndReleasesEveryLayer() throws Exception {
        try (MailboxLock l = MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(1), ALL)) {
            assertEquals(EnumSet.allOf(LockMethod.class), l.heldMethods());
            assertTrue(Files.exists(dir.resolve("mbox.lock")));
            List<KernelLocks.Entry> k = kernelLocks();
            assertTrue(k.stream().anyMatch(e -> e.kind().equals("FLOCK") && e.exclusive() && e.pid() == ProcessHandle.current().pid()), k.toString());
            assertTrue(k.stream().anyMatch(e -> e.kind().equals("OFDLCK") && e.exclusive()), k.toString());
            assertEquals(LockState.HELD, l.check());
        }
        assertEquals(List.of(), kernelLocks());
        assertFalse(Files.exists(dir.resolve("mbox.lock")));
    }

    @Test
    void aLayerFailingMidwayLeavesNothingHeld() throws Exception {
        Posix posix = Posix.get();
        int other = posix.open(mbox.toString(), Posix.O_RDWR | Posix.O_CLOEXEC, 0);
        try {
            assertTrue(RecordLocks.get().tryLock(other, true, mbox.toString()));
            LockTimeoutException e = assertThrows(LockTimeoutException.class,
                    () -> MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofMillis(300), ALL));
            assertTrue(e.getMessage().contains("POSIX lock"), e.getMessage());
            // Only the blocker's OFD lock remains: our dot-lock and flock were undone.
            List<KernelLocks.Entry> k = kernelLocks();
            assertEquals(1, k.size(), k.toString());
            assertEquals("OFDLCK", k.get(0).kind());
            assertFalse(Files.exists(dir.resolve("mbox.lock")));
            assertTrue(RecordLocks.get().probe(other, true, mbox.toString()) == null, "our own lock does not conflict");
        } finally {
            posix.closeQuietly(other);
        }
        try (MailboxLock l = MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(1), ALL)) {
            assertEquals(LockState.HELD, l.check());
        }
    }

    @Test
    void ofdLocksSurviveAnotherDescriptorOfTheFileBeingClosed() throws Exception {
        try (MailboxLock l = MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(1), ALL)) {
            // A classic fcntl lock would be dropped by this close; the OFD lock must not be.
            try (var ch = java.nio.channels.FileChannel.open(mbox)) {
                ch.size();
            }
            assertTrue(kernelLocks().stream().anyMatch(e -> e.kind().equals("OFDLCK")), "OFD lock dropped by a close");
            Posix posix = Posix.get();
            int probe = posix.open(mbox.toString(), Posix.O_RDWR | Posix.O_CLOEXEC, 0);
            try {
                assertFalse(RecordLocks.get().tryLock(probe, false, mbox.toString()), "another descriptor got a read lock");
            } finally {
                posix.closeQuietly(probe);
            }
        }
    }

    @Test
    void threadsOfOneJvmExcludeWritersAndShareReaders() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        AtomicInteger writers = new AtomicInteger();
        AtomicInteger readers = new AtomicInteger();
        AtomicInteger maxReaders = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                boolean writer = t % 2 == 0;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        try (MailboxLock l = MailboxLock.acquire(mbox, writer ? MailboxLock.Mode.EXCLUSIVE
                                : MailboxLock.Mode.SHARED, Duration.ofSeconds(30), ALL)) {
                            if (writer) {
                                if (writers.incrementAndGet() != 1 || readers.get() != 0) {
                                    violations.incrementAndGet();
                                }
                                Thread.sleep(1);
                                writers.decrementAndGet();
                            } else {
                                int r = readers.incrementAndGet();
                                maxReaders.accumulateAndGet(r, Math::max);
                                if (writers.get() != 0) {
                                    violations.incrementAndGet();
                                }
                                Thread.sleep(2);
                                readers.decrementAndGet();
                            }
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
        assertEquals(0, violations.get());
        assertEquals(List.of(), kernelLocks());
    }

    @Test
    void anUpgradeIsRefusedNotDeadlocked() throws Exception {
        try (MailboxLock shared = MailboxLock.acquire(mbox, MailboxLock.Mode.SHARED, Duration.ofSeconds(1), ALL)) {
            LockException e = assertThrows(LockException.class,
                    () -> MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(1), ALL));
            assertTrue(e.getMessage().contains("upgrades are not supported"), e.getMessage());
            assertEquals(LockState.HELD, shared.check());
        }
        try (MailboxLock ex = MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(1), ALL)) {
            assertEquals(LockState.HELD, ex.check(), "after the shared lock is gone an exclusive one is fine");
        }
    }

    @Test
    void aMailboxReplacedUnderUsIsReportedLost() throws Exception {
        MailboxLock l = MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(1), ALL);
        Path fresh = dir.resolve("fresh");
        Files.writeString(fresh, "rewritten by someone who renames");
        Files.move(fresh, mbox, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertEquals(LockState.LOST, l.check());
        assertEquals(LockState.LOST, l.release());
        assertFalse(Files.exists(dir.resolve("mbox.lock")), "the dot-lock is still ours and released");
    }

    @Test
    void symlinkedFifoAndMissingMailboxesAreRefusedLeavingNoLock() throws Exception {
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, mbox);
        assertThrows(LockSecurityException.class,
                () -> MailboxLock.acquire(link, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(1), ALL));
        assertFalse(Files.exists(dir.resolve("link.lock")));
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        LockSecurityException e = assertThrows(LockSecurityException.class,
                () -> MailboxLock.acquire(fifo, MailboxLock.Mode.SHARED, Duration.ofSeconds(1), ALL));
        assertTrue(e.getMessage().contains("FIFO"), e.getMessage());
        assertThrows(NoSuchMailboxException.class,
                () -> MailboxLock.acquire(dir.resolve("absent"), MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(1), ALL));
        assertFalse(Files.exists(dir.resolve("absent.lock")));
        try (MailboxLock l = MailboxLock.acquire(dir.resolve("absent"), MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(1),
                ALL.withCreateMissing(true))) {
            Stat st = Posix.get().stat(dir.resolve("absent").toString());
            assertEquals(0600, st.permissions());
        }
    }

    @Test
    void profilesAndMethodListsParse() {
        assertEquals(EnumSet.of(LockMethod.DOTLOCK, LockMethod.FLOCK), LockProfile.parse("cclient").methods());
        assertEquals(EnumSet.of(LockMethod.DOTLOCK, LockMethod.OFD), LockProfile.parse("Dovecot").methods());
        assertEquals(EnumSet.of(LockMethod.FLOCK, LockMethod.OFD), LockProfile.parseMethods("ofd, flock"));
        assertThrows(IllegalArgumentException.class, () -> LockProfile.parse("imapd"));
        assertThrows(IllegalArgumentException.class, () -> LockProfile.parseMethods("dotlock,lockf2"));
    }

    /**
     * The mount type as util-linux's findmnt finds it (libmount reading /proc/self/mountinfo): an
     * oracle that shares no code with FileSystemInfo, which asks Java's FileStore (/proc/mounts).
     */
    private static String findmntType(Path p) throws Exception {
        Process f = new ProcessBuilder("findmnt", "--noheadings", "--output", "FSTYPE", "--target", p.toString())
                .redirectErrorStream(true).start();
        String out = new String(f.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        assertEquals(0, f.waitFor(), "findmnt: " + out);
        assertFalse(out.isEmpty(), "findmnt printed no type");
        return out;
    }

    @Test
    void fileSystemDetectionReadsTheMountTypeOfTheMailbox() throws Exception {
        String expected = findmntType(dir);
        assertEquals(expected, FileSystemInfo.of(mbox, EnumSet.allOf(LockMethod.class)).type());
        assertEquals(expected, FileSystemInfo.of(dir.resolve("not-yet"), EnumSet.allOf(LockMethod.class)).type(),
                "a missing mailbox is judged by its directory");
    }

    @Test
    void eachFileSystemSaysWhatWorksThere() {
        var all = EnumSet.allOf(LockMethod.class);
        FileSystemInfo ext4 = FileSystemInfo.classify("ext4", all);
        assertEquals(all, ext4.effective());
        assertTrue(ext4.warnings().isEmpty());

        FileSystemInfo nfs = FileSystemInfo.classify("nfs4", all);
        assertTrue(nfs.isNfs());
        assertEquals(EnumSet.of(LockMethod.DOTLOCK, LockMethod.OFD), nfs.effective());
        assertEquals(EnumSet.of(LockMethod.FLOCK), nfs.skipped());
        assertTrue(nfs.warnings().get(0).contains("flock skipped on nfs4"), nfs.warnings().toString());

        FileSystemInfo sshfs = FileSystemInfo.classify("fuse.sshfs", EnumSet.of(LockMethod.DOTLOCK, LockMethod.FLOCK));
        assertEquals(EnumSet.of(LockMethod.DOTLOCK, LockMethod.FLOCK), sshfs.effective());
        assertEquals(1, sshfs.warnings().size());
        assertTrue(sshfs.warnings().get(0).contains("does not exclude other clients"), sshfs.warnings().toString());

        // spooltest's NFS client (FUSE over libnfs, spooltest/nfs-check) is judged as the kernel's NFS client
        FileSystemInfo nfsfuse = FileSystemInfo.classify("fuse.nfsfuse", all);
        assertTrue(nfsfuse.isNfs());
        assertEquals(nfs.effective(), nfsfuse.effective());
        assertTrue(nfsfuse.kernelLocksExcludeOtherHosts(EnumSet.of(LockMethod.OFD)));
        assertFalse(nfsfuse.kernelLocksExcludeOtherHosts(EnumSet.of(LockMethod.FLOCK)));

        assertEquals(1, FileSystemInfo.classify("cifs", EnumSet.of(LockMethod.OFD)).warnings().size());
        assertTrue(FileSystemInfo.classify("nfs", EnumSet.of(LockMethod.DOTLOCK)).warnings().isEmpty(),
                "nothing to warn about when flock is not asked for");
    }

    /** syncfs is trusted as a migration's one barrier on local block filesystems only (powerloss: FUSE lost a Maildir copy). */
    @Test
    void syncfsIsTrustedOnLocalBlockFilesystemsOnly() {
        for (String t : List.of("ext4", "xfs", "btrfs")) {
            assertTrue(FileSystemInfo.classify(t, EnumSet.of(LockMethod.DOTLOCK)).syncfsMakesDurable(), t);
        }
        for (String t : List.of("fuse.sshfs", "fuse.powerfs", "nfs4", "cifs", "tmpfs", "somethingnew")) {
            assertFalse(FileSystemInfo.classify(t, EnumSet.of(LockMethod.DOTLOCK)).syncfsMakesDurable(), t);
        }
    }
}
