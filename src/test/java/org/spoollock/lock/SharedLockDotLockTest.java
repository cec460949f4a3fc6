package org.spoollock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader drops the dot-lock after taking its shared kernel locks only where those keep writers out.
 * Found by spooltest/torture --sshfs: `spoollock list` via one sshfs mount saw half-written messages
 * appended via the other mount, because its shared flock is local to one client and it had let the
 * dot-lock go. The same holds on NFS with the default profile (flock is skipped there).
 */
class SharedLockDotLockTest {
    @TempDir
    Path dir;

    @Test
    void aReaderWithNoKernelLockKeepsTheDotLockUntilRelease() throws Exception {
        Path box = dir.resolve("mbox");
        Files.writeString(box, "From a@b Tue Dec  1 23:00:00 2026\n\nx\n\n");
        MailboxLockOptions dotOnly = MailboxLockOptions.defaults().withMethods(EnumSet.of(LockMethod.DOTLOCK));
        try (MailboxLock lock = MailboxLock.acquire(box, MailboxLock.Mode.SHARED, Duration.ofSeconds(5), dotOnly)) {
            assertTrue(Files.exists(dir.resolve("mbox.lock")), "the dot-lock is all that keeps writers out: kept while reading");
        }
        assertFalse(Files.exists(dir.resolve("mbox.lock")));
        // with flock (local filesystem) the reader lets the dot-lock go at once, as c-client
        try (MailboxLock lock = MailboxLock.acquire(box, MailboxLock.Mode.SHARED, Duration.ofSeconds(5), MailboxLockOptions.defaults())) {
            assertFalse(Files.exists(dir.resolve("mbox.lock")));
        }
    }

    @Test
    void whichFilesystemsLetReadersDropTheDotLock() {
        EnumSet<LockMethod> flock = EnumSet.of(LockMethod.DOTLOCK, LockMethod.FLOCK);
        EnumSet<LockMethod> ofd = EnumSet.of(LockMethod.DOTLOCK, LockMethod.OFD);
        assertTrue(FileSystemInfo.classify("ext4", flock).kernelLocksExcludeOtherHosts(flock));
        assertFalse(FileSystemInfo.classify("ext4", flock).kernelLocksExcludeOtherHosts(EnumSet.of(LockMethod.DOTLOCK)));
        assertFalse(FileSystemInfo.classify("fuse.sshfs", flock).kernelLocksExcludeOtherHosts(flock));
        assertFalse(FileSystemInfo.classify("nfs4", flock).kernelLocksExcludeOtherHosts(EnumSet.of(LockMethod.DOTLOCK)));
        assertTrue(FileSystemInfo.classify("nfs4", ofd).kernelLocksExcludeOtherHosts(ofd));
        assertFalse(FileSystemInfo.classify("cifs", ofd).kernelLocksExcludeOtherHosts(ofd));
        assertEquals("fuse.sshfs", FileSystemInfo.classify("fuse.sshfs", flock).type());
    }

    /**
     * c-client parses under dot-lock + flock SH, so a writer that meets us only at the dot-lock (Debian's
     * Dovecot: fcntl + dot-lock, against the cclient profile's flock) cannot write mid-parse. The
     * stores' reads keep the dot-lock the same way (found by spooltest/interop: a spoollock reader saw a
     * message at a size matching no whole state while Dovecot rewrote it).
     */
    @Test
    void aStoreReadKeepsTheDotLockWhileItReadsAsCclientParses() throws Exception {
        Path box = dir.resolve("mbox");
        Files.writeString(box, "From a@b Tue Dec  1 23:00:00 2026\n\nx\n\nFrom c@d Tue Dec  1 23:00:01 2026\n\ny\n");
        Path dot = dir.resolve("mbox.lock");
        try (MailboxLock lock = MailboxLock.acquire(box, MailboxLock.Mode.SHARED, Duration.ofSeconds(5),
                MailboxLockOptions.defaults().withDotLockForReads(true))) {
            assertTrue(Files.exists(dot), "kept for the read");
        }
        assertFalse(Files.exists(dot));
        int[] seen = {0};
        try (org.spoollock.store.mbox.MboxMailbox m = org.spoollock.store.mbox.MboxMailbox.openReadOnly(box,
                org.spoollock.store.mbox.MboxMailbox.Options.defaults().withTimeout(Duration.ofSeconds(5)))) {
            assertFalse(Files.exists(dot), "not held between reads");
            m.visit(1, 2, (n, sender, content) -> {
                assertTrue(Files.exists(dot), "held while message " + n + " is read");
                seen[0]++;
            });
        }
        assertEquals(2, seen[0]);
        assertFalse(Files.exists(dot));
    }
}
