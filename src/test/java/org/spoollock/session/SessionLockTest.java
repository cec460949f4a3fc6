package org.spoollock.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.lock.LockSecurityException;
import org.spoollock.posix.Posix;

class SessionLockTest {
    @TempDir
    Path dir;

    private final List<String> events = new CopyOnWriteArrayList<>();

    private SessionLockOptions opts() {
        return SessionLockOptions.defaults().withDirectory(dir.resolve("tmp"))
                .withListener((l, e, d) -> events.add(l.mailbox().getFileName() + " " + e));
    }

    private Path mailbox(String name) throws Exception {
        Files.createDirectories(dir.resolve("tmp"));
        Path m = dir.resolve(name);
        Files.writeString(m, "");
        return m;
    }

    /** Another process of ours asking for the mailbox, as a requester would. */
    private Process requester(Path mbox, int askFor) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                "org.spoollock.cli.Main", "open", "--session-dir", dir.resolve("tmp").toString(),
                "--ask-for", Integer.toString(askFor), "--hold", "0", mbox.toString()).redirectErrorStream(true);
        pb.environment().put("_JAVA_SR_SIGNUM", "39");
        return pb.start();
    }

    private static String firstLine(Process p) throws Exception {
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
    }

    /**
     * c-client's session-lock name for {@code file} (lock_work: ".%lx.%lx" of st_dev and st_ino), made
     * by coreutils' stat (its %D is the device number in hex) and the shell's printf: nothing shared with
     * nameFor. SessionPeersIT checks the name against the file c-client itself holds open.
     */
    private static String cclientName(Path file) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "printf '.%s.%x' \"$(stat -c %D \"$1\")\" \"$(stat -c %i \"$1\")\"", "sh",
                file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.matches("\\.[0-9a-f]+\\.[0-9a-f]+"), out);
        return out;
    }

    @Test
    void nameAndContentsAreCClients() throws Exception {
        Path m = mailbox("mbox");
        SessionOpen open = SessionLock.openReadWrite(m, opts());
        try (SessionLock lock = open.lock()) {
            assertTrue(open.readWrite());
            assertEquals(dir.resolve("tmp").resolve(cclientName(m)).toString(), lock.name());
            assertFalse(lock.wasRead(), "armed: atime not past mtime");
            assertEquals(SessionLockFile.peekPid(Posix.get(), lock.name()), ProcessHandle.current().pid());
            assertFalse(lock.wasRead(), "an O_NOATIME peek must not look like a request");
            assertEquals(Long.toString(ProcessHandle.current().pid()), Files.readString(Path.of(lock.name())),
                    "the PID as decimal text, no newline");
            assertTrue(lock.wasRead(), "an ordinary read, as a requester's, moves atime past mtime");
            lock.rearm();
            assertFalse(lock.wasRead(), "re-armed");
            assertEquals(0666, Posix.get().lstat(lock.name()).permissions());
        }
        assertFalse(Files.exists(Path.of(SessionLockFile.nameFor(m, dir.resolve("tmp")))), "removed on release");
    }

    @Test
    void aSilentSessionWritesNoPidAndASecondOpenIsReadOnlyAfterAMoment() throws Exception {
        Path m = mailbox("mbox");
        try (SessionLock silent = SessionLock.openReadWrite(m, opts().withSilent(true)).lock()) {
            assertEquals("", Files.readString(Path.of(silent.name())));
            // Told to keep asking for ten minutes, it must give up after its short grace (SILENT_GRACE_NANOS):
            // the 60 s bound only catches a wait for the ten minutes (or a hang), it measures no speed; not
            // asking is checked by asked() below.
            SessionOpen second = assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> SessionLock.openReadWrite(m, opts().withAskFor(Duration.ofMinutes(10))),
                    "waited for a silent holder");
            assertFalse(second.readWrite());
            assertNull(second.lock());
            assertTrue(second.reason().contains("silent"), second.reason());
            assertFalse(second.asked());
        }
    }

    /**
     * A holder without a PID for a moment (c-client's tenex/mtx append holds the session lock so; any holder
     * has it before its PID is written): an open beside it waits that moment out and is read-write. It was
     * read-only at once (Pop3ServerIT's LOCKBUSY under load).
     */
    @Test
    void aHolderThatNamesNoPidForAMomentDoesNotMakeTheOpenReadOnly() throws Exception {
        Path m = mailbox("mbox");
        SessionLock brief = SessionLock.acquireExclusive(m, dir.resolve("tmp"), Duration.ofSeconds(5));
        java.util.concurrent.CompletableFuture<Void> release = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(60);
                brief.close();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (SessionLock ours = SessionLock.openReadWrite(m, opts()).lock()) {
            assertNotNull(ours, "read-write once the brief holder let go");
        }
        release.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void symlinkAndHardLinkAttacksAreRefused() throws Exception {
        Path m = mailbox("mbox");
        Path name = Path.of(SessionLockFile.nameFor(m, dir.resolve("tmp")));
        Path target = dir.resolve("victim");
        Files.writeString(target, "keep");
        Files.createSymbolicLink(name, target);
        LockSecurityException sym = assertThrows(LockSecurityException.class, () -> SessionLock.openReadWrite(m, opts()));
        assertTrue(sym.getMessage().contains("symbolic link"), sym.getMessage());
        Files.delete(name);
        Files.createLink(name, target);
        LockSecurityException hard = assertThrows(LockSecurityException.class, () -> SessionLock.openReadWrite(m, opts()));
        assertTrue(hard.getMessage().contains("hard link"), hard.getMessage());
        assertEquals("keep", Files.readString(target));
    }

    @Test
    void aStraySignalMakesNobodyGiveAnythingUp() throws Exception {
        List<SessionLock> held = new ArrayList<>();
        for (String n : List.of("a", "b")) {
            held.add(SessionLock.openReadWrite(mailbox(n), opts()).lock());
        }
        long before = KissOfDeath.ignoredSignals();
        assertEquals(0, new ProcessBuilder("kill", "-USR2", Long.toString(ProcessHandle.current().pid())).start().waitFor());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (KissOfDeath.ignoredSignals() == before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(before + 1, KissOfDeath.ignoredSignals(), "the signal should have been seen and ignored");
        for (SessionLock l : held) {
            assertEquals(SessionLock.State.HELD, l.state());
            l.close();
        }
        assertEquals(List.of(), events);
    }

    @Test
    void ofManyMailboxesOnlyTheWantedOneIsGivenUp() throws Exception {
        List<SessionLock> held = new ArrayList<>();
        for (String n : List.of("a", "b", "c")) {
            held.add(SessionLock.openReadWrite(mailbox(n), opts()).lock());
        }
        Process asker = requester(dir.resolve("b"), 10);
        assertEquals("read-write", firstLine(asker), "the requester did not get b");
        assertEquals(SessionLock.State.HELD, held.get(0).state());
        assertEquals(SessionLock.State.GAVE_UP, held.get(1).state());
        assertEquals(SessionLock.State.HELD, held.get(2).state());
        assertEquals(List.of("b REQUESTED", "b GAVE_UP"), events);
        held.forEach(SessionLock::close);
    }

    /** A request received and the policy's answer are a JFR event (docs/operations.md). */
    @Test
    void aRequestAndItsAnswerAreRecordedForJfr() throws Exception {
        Path m = mailbox("jfr");
        Path file = dir.resolve("kiss.jfr");
        try (jdk.jfr.Recording r = new jdk.jfr.Recording()) {
            r.enable("spoollock.KissOfDeath");
            r.start();
            try (SessionLock lock = SessionLock.openReadWrite(m, opts().withPolicy(KissPolicy.refuse())).lock()) {
                assertEquals("read-only", firstLine(requester(m, 1)));
            }
            r.stop();
            r.dump(file);
        }
        List<jdk.jfr.consumer.RecordedEvent> kisses = jdk.jfr.consumer.RecordingFile.readAllEvents(file);
        assertEquals(1, kisses.size(), kisses.toString());
        assertEquals("received", kisses.get(0).getString("direction"));
        assertEquals(m.toString(), kisses.get(0).getString("mailbox"));
        assertEquals(false, kisses.get(0).getBoolean("given"));
        assertEquals("policy refuse", kisses.get(0).getString("why"));
    }

    @Test
    void refuseAndIdlePoliciesKeepTheMailbox() throws Exception {
        Path m = mailbox("mbox");
        try (SessionLock lock = SessionLock.openReadWrite(m, opts().withPolicy(KissPolicy.refuse())).lock()) {
            assertEquals("read-only", firstLine(requester(m, 1)));
            assertEquals(SessionLock.State.HELD, lock.state());
            assertEquals(List.of("mbox REQUESTED", "mbox KEPT"), events);
        }
        events.clear();
        try (SessionLock lock = SessionLock.openReadWrite(m, opts().withPolicy(KissPolicy.whenIdle(Duration.ofMinutes(5)))).lock()) {
            lock.markActivity();
            assertEquals("read-only", firstLine(requester(m, 1)), "a busy ipop3d-style holder keeps the mailbox");
            assertEquals(List.of("mbox REQUESTED", "mbox KEPT"), events);
        }
        events.clear();
        try (SessionLock lock = SessionLock.openReadWrite(m, opts().withPolicy(KissPolicy.whenIdle(Duration.ofMillis(200)))).lock()) {
            Thread.sleep(400);
            assertEquals("read-write", firstLine(requester(m, 10)), "an idle holder gives the mailbox up");
            assertEquals(SessionLock.State.GAVE_UP, lock.state());
        }
    }

    @Test
    void aHolderPidThatIsGoneIsAskedOnceThenWeAreReadOnlyWhileTheLockStaysHeld() throws Exception {
        // A lock file naming a process that no longer runs, while its flock is still held (here by
        // another descriptor of ours, as by a child that inherited it): c-client signals, retries,
        // and gives up read-only. So do we, without error.
        Path m = mailbox("mbox");
        String name = SessionLockFile.nameFor(m, dir.resolve("tmp"));
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(Path.of(name), Long.toString(gone.pid()));
        Posix posix = Posix.get();
        int other = posix.open(name, Posix.O_RDWR | Posix.O_CLOEXEC, 0);
        try {
            assertTrue(posix.flock(other, Posix.LOCK_EX | Posix.LOCK_NB, name));
            SessionOpen open = SessionLock.openReadWrite(m, opts().withAskFor(Duration.ofMillis(300)));
            assertFalse(open.readWrite());
            assertTrue(open.asked());
            assertEquals(gone.pid(), open.holderPid());
            assertTrue(open.reason().contains("pid " + gone.pid()), open.reason());
        } finally {
            posix.closeQuietly(other);
        }
        // Once that descriptor is closed the lock is free and the stale PID is simply overwritten.
        try (SessionLock lock = SessionLock.openReadWrite(m, opts()).lock()) {
            assertEquals(Long.toString(ProcessHandle.current().pid()), Files.readString(Path.of(lock.name())));
        }
    }

    @Test
    void policiesParse() {
        assertEquals(KissPolicy.Kind.YIELD, KissPolicy.parse("yield").kind());
        assertEquals(Duration.ofSeconds(300), KissPolicy.parse("idle:300").idleFor());
        assertEquals(KissPolicy.Kind.REFUSE, KissPolicy.parse("Refuse").kind());
        assertThrows(IllegalArgumentException.class, () -> KissPolicy.parse("idle:"));
        assertThrows(IllegalArgumentException.class, () -> KissPolicy.parse("kill"));
        assertEquals(1234, SessionLockFile.parsePid("1234".getBytes()));
        assertEquals(1234, SessionLockFile.parsePid("  1234\0junk".getBytes()));
        assertEquals(0, SessionLockFile.parsePid("".getBytes()));
        assertEquals(0, SessionLockFile.parsePid("x12".getBytes()));
    }
}
