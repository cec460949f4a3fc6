package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.spoollock.lock.LockMethod;
import org.spoollock.lock.LockProfile;
import org.spoollock.lock.LockState;
import org.spoollock.lock.LockTimeoutException;
import org.spoollock.lock.MailboxLock;
import org.spoollock.lock.MailboxLockOptions;

/**
 * The flock and POSIX layers against the real peers: c-client's own unix_lock() (dot-lock, open,
 * flock) and mailutil for writing and reading, Python's fcntl.lockf for the POSIX layer.
 */
class LayeredLockPeersIT {
    private static final MailboxLockOptions CCLIENT = MailboxLockOptions.defaults();
    private static final MailboxLockOptions FLOCK_ONLY = CCLIENT.withMethods(EnumSet.of(LockMethod.FLOCK));

    private static List<String> cclientHold(Path mbox, String mode, boolean dropDotlock) {
        return dropDotlock ? Peers.asUser(Peers.DIST.resolve("cclient-mboxlock").toString(), "hold", mbox.toString(), mode,
                "drop-dotlock") : Peers.asUser(Peers.DIST.resolve("cclient-mboxlock").toString(), "hold", mbox.toString(), mode);
    }

    @Test
    void ourExclusiveFlockMakesCClientWaitAndItsMakesUsWait() throws Exception {
        Path mbox = Peers.newDir("flock-ex").resolve("mbox");
        MailboxLock ours = MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(5), FLOCK_ONLY);
        try (Peers.Holder c = new Peers.Holder(cclientHold(mbox, "ex", false), false)) {
            assertFalse(c.awaitLocked(2), "c-client got LOCK_EX while we held flock LOCK_EX");
            assertEquals(LockState.RELEASED, ours.release());
            assertTrue(c.awaitLocked(10), "c-client did not get the lock after we released");
            // Now c-client holds dot-lock + flock EX: we wait at the dot-lock, and with flock alone at the flock.
            LockTimeoutException e = assertThrows(LockTimeoutException.class, () ->
                    MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofMillis(500), FLOCK_ONLY));
            assertTrue(e.getMessage().contains("flock") && e.getMessage().contains("flock exclusive by pid"), e.getMessage());
            assertThrows(LockTimeoutException.class, () ->
                    MailboxLock.acquire(mbox, MailboxLock.Mode.SHARED, Duration.ofMillis(500), CCLIENT));
        }
        try (MailboxLock after = MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(5), CCLIENT)) {
            assertEquals(EnumSet.of(LockMethod.DOTLOCK, LockMethod.FLOCK), after.heldMethods());
        }
    }

    @Test
    void readersShareInBothDirectionsAndExcludeWriters() throws Exception {
        Path mbox = Peers.newDir("flock-sh").resolve("mbox");
        // c-client reader holding flock LOCK_SH (its dot-lock dropped, as after a parse).
        try (Peers.Holder c = new Peers.Holder(cclientHold(mbox, "sh", true))) {
            try (MailboxLock reader = MailboxLock.acquire(mbox, MailboxLock.Mode.SHARED, Duration.ofSeconds(5), CCLIENT)) {
                assertEquals(EnumSet.of(LockMethod.FLOCK), reader.heldMethods(), "readers keep only the flock");
                assertFalse(Files.exists(Path.of(mbox + ".lock")));
            }
            assertThrows(LockTimeoutException.class, () ->
                    MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofMillis(500), CCLIENT));
            assertFalse(Files.exists(Path.of(mbox + ".lock")), "a failed exclusive attempt left its dot-lock behind");
        }
        // Our reader holds: a c-client reader gets in (dot-lock and LOCK_SH), a c-client writer does not.
        try (MailboxLock reader = MailboxLock.acquire(mbox, MailboxLock.Mode.SHARED, Duration.ofSeconds(5), CCLIENT)) {
            try (Peers.Holder c = new Peers.Holder(cclientHold(mbox, "sh", false), false)) {
                assertTrue(c.awaitLocked(10), "a c-client reader was kept out by our reader");
            }
            try (Peers.Holder w = new Peers.Holder(cclientHold(mbox, "ex", false), false)) {
                assertFalse(w.awaitLocked(2), "a c-client writer got in while we read");
                reader.release();
                assertTrue(w.awaitLocked(10), "the c-client writer did not get in after our reader left");
            }
        }
    }

    @Test
    void mailutilAppendWaitsForOurWriteLock() throws Exception {
        Path dir = Peers.newDir("mailutil");
        Path src = dir.resolve("src");
        Files.writeString(src, "From a@example.org Sat Nov 21 10:00:00 2026\nSubject: one\n\nbody1\n\n"
                + "From a@example.org Sat Nov 21 10:00:01 2026\nSubject: two\n\nbody2\n", StandardCharsets.US_ASCII);
        Peers.chown(src);
        Path mbox = dir.resolve("mbox");
        String rel = Peers.HOME.relativize(dir).toString();
        List<String> append = Peers.asUser("sh", "-c", "cd && exec mailutil append \"$0/src\" \"$0/mbox\"", rel);
        MailboxLock ours = MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(5), FLOCK_ONLY);
        Process p = new ProcessBuilder(append).redirectErrorStream(true).start();
        Thread.sleep(2000);
        assertTrue(p.isAlive(), "mailutil appended while we held the write lock");
        assertEquals(0, Files.size(mbox));
        ours.release();
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "mailutil did not finish after we released");
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
        String text = Files.readString(mbox, StandardCharsets.ISO_8859_1);
        assertEquals(2, text.lines().filter(l -> l.startsWith("From ")).count(), text);
    }

    @Test
    void posixLayerExcludesLockfPeersOnlyInProfilesThatHaveIt() throws Exception {
        Path mbox = Peers.newDir("lockf").resolve("mbox");
        List<String> lockfHold = Peers.asUser("python3", Peers.pylock(), "lockf-hold", mbox.toString());
        List<String> lockfTry = Peers.asUser("python3", Peers.pylock(), "lockf-try", mbox.toString());
        try (Peers.Holder py = new Peers.Holder(lockfHold)) {
            for (LockProfile p : List.of(LockProfile.DOVECOT, LockProfile.ALL)) {
                LockTimeoutException e = assertThrows(LockTimeoutException.class, () -> MailboxLock.acquire(mbox,
                        MailboxLock.Mode.EXCLUSIVE, Duration.ofMillis(500), CCLIENT.withProfile(p)), p.name());
                assertTrue(e.getMessage().contains("POSIX lock"), e.getMessage());
                assertFalse(Files.exists(Path.of(mbox + ".lock")), "dot-lock left after a failed " + p);
            }
            // Documented: c-client's profile does not see lockf locks.
            try (MailboxLock l = MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(2), CCLIENT)) {
                assertEquals(LockState.HELD, l.check());
            }
        }
        for (LockProfile p : List.of(LockProfile.DOVECOT, LockProfile.ALL)) {
            try (MailboxLock l = MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(2), CCLIENT.withProfile(p))) {
                Peers.Result r = Peers.run(lockfTry, 30);
                assertEquals(1, r.status(), "lockf got in while we held " + p + ": " + r);
                Peers.Result mb = Peers.run(Peer.PYTHON.tryOnce(mbox), 30);
                assertNotEquals(0, mb.status(), "Python's mailbox got in while we held " + p + ": " + mb);
            }
        }
        try (MailboxLock l = MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(2), CCLIENT)) {
            assertEquals(0, Peers.run(lockfTry, 30).status(), "cclient profile: lockf is not excluded (documented)");
        }
        // And Python's mailbox holding (lockf + dot-lock) keeps our dovecot profile out at both layers.
        try (Peers.Holder py = new Peers.Holder(Peer.PYTHON.hold(mbox))) {
            assertThrows(LockTimeoutException.class, () -> MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE,
                    Duration.ofMillis(500), CCLIENT.withProfile(LockProfile.DOVECOT)));
        }
    }

    @Test
    void cliLockTakesTheLayersAndLocksShowsThem() throws Exception {
        Path mbox = Peers.newDir("cli-layers").resolve("mbox");
        try (Peers.Holder h = new Peers.Holder(Peers.asUser(Peers.ours("lock", "--profile", "all", mbox.toString(), "--",
                "sh", "-c", "echo locked; cat >/dev/null")))) {
            Peers.Result text = Peers.run(Peers.ours("locks", "--profile", "all", mbox.toString()), 60);
            assertTrue(text.out().contains("flock exclusive by pid"), text.out());
            assertTrue(text.out().contains("ofdlck exclusive"), text.out());
            assertTrue(text.out().contains("effective [dotlock, flock, ofd]"), text.out());
            Peers.Result json = Peers.run(Peers.ours("locks", "--json", mbox.toString()), 60);
            assertTrue(json.out().contains("\"kind\":\"flock\",\"exclusive\":true"), json.out());
            // the filesystem's type as findmnt names it, whatever the test directory is on
            assertTrue(json.out().contains("\"type\":\"" + Peers.mountType(mbox) + "\""), json.out());
            Peers.Result wait = Peers.run(Peers.asUser(Peers.ours("lock", "--shared", "--methods", "flock", "--timeout", "1",
                    mbox.toString(), "--", "true")), 60);
            assertEquals(75, wait.status(), wait.toString());
            assertTrue(wait.err().contains("flock"), wait.err());
        }
        Peers.Result bad = Peers.run(Peers.ours("lock", "--profile", "nope", mbox.toString(), "--", "true"), 60);
        assertEquals(64, bad.status(), bad.toString());
        Peers.Result missing = Peers.run(Peers.asUser(Peers.ours("lock", mbox + "-absent", "--", "true")), 60);
        assertEquals(66, missing.status(), missing.toString());
        assertTrue(missing.err().contains("does not exist"), missing.err());
        assertFalse(Files.exists(Path.of(mbox + "-absent.lock")), "dot-lock left behind");
        Peers.Result created = Peers.run(Peers.asUser(Peers.ours("lock", "--create", mbox + "-new", "--", "true")), 60);
        assertEquals(0, created.status(), created.toString());
        assertTrue(Files.exists(Path.of(mbox + "-new")));
    }
}
