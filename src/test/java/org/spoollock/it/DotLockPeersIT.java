package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.spoollock.lock.DotLock;
import org.spoollock.lock.DotLockOptions;
import org.spoollock.lock.LockState;

/** Dot-lock interop with the real peers, in both directions, and stale breaking against them. */
class DotLockPeersIT {

    private static final DotLockOptions OPTS = DotLockOptions.defaults();

    @ParameterizedTest(name = "{0} holds: we cannot take it, then can")
    @EnumSource(Peer.class)
    void peerExcludesUs(Peer peer) throws Exception {
        Path mbox = Peers.newDir("peer-holds").resolve("mbox");
        try (Peers.Holder h = new Peers.Holder(peer.hold(mbox))) {
            assertTrue(Files.exists(Path.of(mbox + ".lock")), "the peer made no lock file");
            assertTrue(DotLock.tryAcquire(mbox, OPTS).isEmpty(), "we took the lock while " + peer + " held it");
            // Our CLI, as the unprivileged user, times out with EX_TEMPFAIL and names the lock.
            Peers.Result r = Peers.run(Peers.asUser(Peers.ours("lock", "--timeout", "1", mbox.toString(), "--", "true")), 60);
            assertEquals(75, r.status(), r.toString());
            assertTrue(r.err().contains(mbox + ".lock") && r.err().contains("held by"), r.err());
            assertEquals(0, h.release(), "the peer failed to unlock: " + h.stderr());
        }
        Optional<DotLock> after = DotLock.tryAcquire(mbox, OPTS);
        assertTrue(after.isPresent(), "could not lock after " + peer + " released");
        assertEquals(LockState.RELEASED, after.get().release());
    }

    @ParameterizedTest(name = "we hold: {0} cannot take it, then can")
    @EnumSource(Peer.class)
    void weExcludePeer(Peer peer) throws Exception {
        Path mbox = Peers.newDir("we-hold").resolve("mbox");
        try (DotLock lock = DotLock.acquire(mbox, Duration.ofSeconds(5), OPTS)) {
            Peers.Result r = Peers.run(peer.tryOnce(mbox), 60);
            assertNotEquals(0, r.status(), peer + " took the lock while we held it: " + r);
            if (peer == Peer.C_CLIENT) {
                assertTrue(r.err().contains("is locked"), "c-client did not report our lock: " + r);
            }
            assertEquals(LockState.HELD, lock.check(), "the peer disturbed our lock: " + r);
        }
        Peers.Result r = Peers.run(peer.tryOnce(mbox), 60);
        assertEquals(0, r.status(), peer + " could not lock after we released: " + r);
    }

    @Test
    void concurrentCriticalSectionsAcrossAllPeers() throws Exception {
        Path dir = Peers.newDir("mixed");
        Path mbox = dir.resolve("mbox");
        int rounds = 3;
        List<Process> procs = new ArrayList<>();
        Set<String> expectedTags = new HashSet<>();
        for (String who : List.of("ours-a", "ours-b")) {
            StringBuilder loop = new StringBuilder();
            for (int i = 1; i <= rounds; i++) {
                String tag = who + "-" + i;
                expectedTags.add(tag);
                loop.append(String.join(" ", quoteAll(Peers.ours("lock", "--timeout", "120", mbox.toString(), "--",
                        Peers.probe(), dir.toString(), tag)))).append(" || exit 1\n");
            }
            procs.add(start(Peers.asUser("sh", "-c", loop.toString())));
        }
        for (Peer peer : Peer.values()) {
            StringBuilder loop = new StringBuilder();
            for (int i = 1; i <= rounds; i++) {
                String tag = peer.name() + "-" + i;
                expectedTags.add(tag);
                List<String> cmd = new ArrayList<>(peer.run(mbox, Peers.probe(), dir.toString(), tag));
                if (Peers.ROOT) {
                    cmd = cmd.subList(4, cmd.size()); // the loop itself runs as the user
                }
                loop.append(String.join(" ", quoteAll(cmd))).append(" || exit 1\n");
            }
            procs.add(start(Peers.asUser("sh", "-c", loop.toString())));
        }
        for (Process p : procs) {
            assertTrue(p.waitFor(240, TimeUnit.SECONDS), "a locker did not finish in 240 s");
            assertEquals(0, p.exitValue(), "a locker failed: " + new String(p.getErrorStream().readAllBytes()));
        }
        assertFalse(Files.exists(dir.resolve("violations")),
                () -> "mutual exclusion violated: " + read(dir.resolve("violations")));
        List<String> journal = Files.readAllLines(dir.resolve("journal"), StandardCharsets.UTF_8);
        assertEquals(2 * expectedTags.size(), journal.size(), "journal: " + journal);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < journal.size(); i += 2) {
            String in = journal.get(i);
            assertTrue(in.endsWith(" in"), "expected an entry at line " + i + ": " + journal);
            String tag = in.substring(0, in.length() - 3);
            assertEquals(tag + " out", journal.get(i + 1), "sections overlapped: " + journal);
            assertTrue(seen.add(tag), "section ran twice: " + tag);
        }
        assertEquals(expectedTags, seen);
        assertFalse(Files.exists(Path.of(mbox + ".lock")), "a lock was left behind");
    }

    @Test
    void weBreakAStaleCClientLock() throws Exception {
        Path mbox = Peers.newDir("break-cclient").resolve("mbox");
        Peers.Holder h = new Peers.Holder(Peer.C_CLIENT.hold(mbox));
        h.kill9(); // c-client's empty lock stays behind
        Path lockFile = Path.of(mbox + ".lock");
        assertTrue(Files.exists(lockFile));
        // The stale time is set from the lock's age as found (its ctime, the clock staleness is judged by),
        // not from how fast the setup ran: 8 s more than that age. The first try follows at once, so it
        // can only see the lock as stale if this thread stalls for 8 s between two statements (a hang).
        long ageMillis = System.currentTimeMillis() - ((java.nio.file.attribute.FileTime) Files.getAttribute(lockFile,
                "unix:ctime")).toMillis();
        Duration staleAfter = Duration.ofMillis(Math.max(0, ageMillis)).plusSeconds(8);
        DotLockOptions stale = OPTS.withStaleAfter(staleAfter);
        assertTrue(DotLock.tryAcquire(mbox, stale).isEmpty(), "broke a c-client lock younger than the stale time");
        long ctime = ((java.nio.file.attribute.FileTime) Files.getAttribute(lockFile, "unix:ctime")).toMillis();
        Thread.sleep(Math.max(0, ctime + staleAfter.toMillis() + 1000 - System.currentTimeMillis()));
        Optional<DotLock> lock = DotLock.tryAcquire(mbox, stale);
        assertTrue(lock.isPresent(), "did not break a c-client lock older than the stale time");
        assertEquals(LockState.RELEASED, lock.get().release());
    }

    @Test
    void cClientOnAFastClockBreaksOursAndWeNoticeStolenThenLost() throws Exception {
        Path mbox = Peers.newDir("cclient-breaks").resolve("mbox");
        try (DotLock lock = DotLock.acquire(mbox, Duration.ofSeconds(5), OPTS)) {
            // c-client's clock 10 minutes ahead: our fresh lock looks 10 minutes old to it.
            List<String> cmd = Peers.asUser("env", "NO_FAKE_STAT=1", "faketime", "-f", "+10m", Peers.cclient(), "hold",
                    mbox.toString());
            try (Peers.Holder h = new Peers.Holder(cmd)) {
                assertTrue(h.stderr().contains("lock overridden"), "c-client did not override: " + h.stderr());
                assertEquals(LockState.STOLEN, lock.check());
                h.release();
            }
            assertEquals(LockState.STOLEN, lock.check(), "check() keeps the first verdict");
            assertEquals(LockState.STOLEN, lock.release());
        }
        assertFalse(Files.exists(Path.of(mbox + ".lock")));
    }

    @Test
    void weNoticeLostWhenOurLockIsRemoved() throws Exception {
        Path mbox = Peers.newDir("lost").resolve("mbox");
        DotLock lock = DotLock.acquire(mbox, Duration.ofSeconds(5), OPTS);
        Peers.Result rm = Peers.run(Peers.asUser("rm", "-f", mbox + ".lock"), 10);
        assertEquals(0, rm.status(), rm.toString());
        assertEquals(LockState.LOST, lock.check());
        // A peer takes it now; our release must leave the peer's lock alone.
        try (Peers.Holder h = new Peers.Holder(Peer.PYTHON.hold(mbox))) {
            assertEquals(LockState.LOST, lock.release());
            assertTrue(Files.exists(Path.of(mbox + ".lock")), "our release removed the peer's lock");
        }
    }

    @Test
    void skewedLocalClockNeitherBreaksAFreshLockNorKeepsAStaleOne() throws Exception {
        Path mbox = Peers.newDir("skew").resolve("mbox");
        List<String> fast = List.of("env", "NO_FAKE_STAT=1", "FAKETIME_DONT_FAKE_MONOTONIC=1", "faketime", "-f", "+1h");
        List<String> slow = List.of("env", "NO_FAKE_STAT=1", "FAKETIME_DONT_FAKE_MONOTONIC=1", "faketime", "-f", "-1h");
        try (Peers.Holder h = new Peers.Holder(Peer.C_CLIENT.hold(mbox))) {
            // Our clock an hour ahead must not make c-client's fresh lock look stale.
            List<String> cmd = new ArrayList<>(fast);
            cmd.addAll(Peers.ours("lock", "--timeout", "2", "--stale-after", "300", mbox.toString(), "--", "true"));
            Peers.Result r = Peers.run(Peers.asUser(cmd.toArray(String[]::new)), 120);
            assertEquals(75, r.status(), "a fast local clock broke a fresh lock: " + r);
            h.kill9();
        }
        Thread.sleep(3000); // the abandoned c-client lock is now 3 s old on the file server's clock
        List<String> cmd = new ArrayList<>(slow);
        cmd.addAll(Peers.ours("lock", "--timeout", "10", "--stale-after", "2", mbox.toString(), "--", "true"));
        Peers.Result r = Peers.run(Peers.asUser(cmd.toArray(String[]::new)), 120);
        assertEquals(0, r.status(), "a slow local clock kept a stale lock: " + r);
        assertTrue(r.err().contains("broke stale lock"), r.toString());
    }

    @Test
    void aHolderKilledWithSigkillIsBrokenAtOnce() throws Exception {
        Path mbox = Peers.newDir("sigkill").resolve("mbox");
        try (Peers.Holder h = new Peers.Holder(Peers.asUser(Peers.ours("lock", mbox.toString(), "--", "sh", "-c",
                "echo locked; exec sleep 600")))) {
            long javaPid = h.process.descendants().filter(p -> p.info().command().orElse("").endsWith("java"))
                    .findFirst().map(ProcessHandle::pid).orElse(h.process.pid());
            assertTrue(DotLock.tryAcquire(mbox, OPTS).isEmpty(), "took a live holder's lock");
            Peers.run(List.of("kill", "-9", Long.toString(javaPid)), 10);
            Thread.sleep(200);
            // Stale time is 300 s; the holder is dead on this host, so the lock goes at once.
            Optional<DotLock> lock = DotLock.tryAcquire(mbox, OPTS);
            assertTrue(lock.isPresent(), "a dead holder's lock was not broken");
            assertEquals(LockState.RELEASED, lock.get().release());
            h.process.descendants().forEach(ProcessHandle::destroyForcibly);
            h.process.destroyForcibly();
        }
    }

    private static Process start(List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("_JAVA_SR_SIGNUM", "39");
        return pb.start();
    }

    private static List<String> quoteAll(List<String> words) {
        List<String> q = new ArrayList<>();
        for (String w : words) {
            q.add("'" + w.replace("'", "'\\''") + "'");
        }
        return q;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
