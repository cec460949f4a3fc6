package org.spoollock.guard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.lock.LockHolder;
import org.spoollock.posix.Posix;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.Drivers;
import org.spoollock.posix.Faults;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.NewMessage;
import org.spoollock.store.StoreOptions;
import org.spoollock.store.journal.Journal;

class SpoolGuardianTest {
    private static final ZonedDateTime DATE = ZonedDateTime.parse("2026-11-02T05:03:22-07:00");

    @TempDir
    Path dir;
    Path mbox;
    StoreOptions store;
    final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        mbox = dir.resolve("alice");
        store = StoreOptions.defaults().withTimeout(Duration.ofSeconds(10))
                .withSession(SessionLockOptions.defaults().withDirectory(dir).withAskFor(Duration.ofSeconds(1)));
    }

    @AfterEach
    void disarm() {
        Faults.arm("");
    }

    private void deliver(String text) throws Exception {
        Drivers.append(MailboxRef.of(mbox), List.of(NewMessage.of(text.getBytes(StandardCharsets.ISO_8859_1), DATE)), true,
                store);
    }

    private SpoolGuardian.Options options() {
        return SpoolGuardian.Options.defaults(store);
    }

    private GuardianLog log() {
        return (event, kv) -> events.add(event + " " + List.of(kv));
    }

    /** A process that has exited: its PID names nobody (until reused, which the start time catches). */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    /** The dot-lock a killed spoollock writer leaves: our format, naming a process that is gone. */
    private void deadWritersLock() throws Exception {
        Posix posix = Posix.get();
        LockHolder dead = new LockHolder(LockHolder.Format.SPOOLLOCK, deadPid(), posix.hostname(), OptionalLong.empty(),
                posix.bootId());
        Files.write(Path.of(mbox + ".lock"), dead.render("t"));
    }

    /** One message delivered, then a delivery killed half-way, its note and (dead) dot-lock left; the bytes before. */
    private byte[] killedHalfWay() throws Exception {
        deliver("Subject: one\n\nbody 1\n");
        byte[] before = Files.readAllBytes(mbox);
        Faults.arm("append.partial:crash");
        assertThrows(Faults.InjectedCrash.class, () -> deliver("Subject: big\n\n" + "b\n".repeat(5000)));
        Faults.arm("");
        deadWritersLock();
        assertTrue(Files.size(mbox) > before.length, "half a message is there");
        assertTrue(Files.exists(Journal.appendIntentFor(mbox)));
        return before;
    }

    private static boolean within(Duration limit, java.util.function.BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (done.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return done.getAsBoolean();
    }

    @Test
    void aDeliveryKilledWhileTheGuardianRunsIsCutOutWithinFiveSeconds() throws Exception {
        try (SpoolGuardian g = SpoolGuardian.start(List.of(dir), options(), log())) {
            byte[] before = killedHalfWay();
            long t0 = System.nanoTime();
            // the guardian counts and logs its work just after the files are gone: wait for its log line too
            // (CI once looked in between)
            assertTrue(within(Duration.ofSeconds(5), () -> !Files.exists(Journal.appendIntentFor(mbox))
                    && !Files.exists(Path.of(mbox + ".lock")) && events.stream().anyMatch(e -> e.startsWith("finished"))),
                    "finished within 5 s: " + events);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertArrayEquals(before, Files.readAllBytes(mbox), "the half message is cut out, the rest untouched");
            assertEquals(1, g.finished(), events.toString());
            assertTrue(events.stream().anyMatch(e -> e.startsWith("finished") && e.contains("interrupted write")
                    && e.contains("dead holder")), events.toString());
            System.out.println("SpoolGuardianTest: a killed delivery cut out " + ms + " ms after its leftovers were in place");
        }
    }

    @Test
    void whatDeadWritersLeftBeforeTheStartIsFinishedByTheFirstSweep() throws Exception {
        byte[] before = killedHalfWay();
        try (SpoolGuardian g = SpoolGuardian.start(List.of(dir), options(), log())) {
            assertTrue(within(Duration.ofSeconds(5), () -> g.finished() == 1), events.toString());
            assertArrayEquals(before, Files.readAllBytes(mbox));
            assertFalse(Files.exists(Path.of(mbox + ".lock")));
        }
    }

    @Test
    void aLiveWritersFilesAreLeftAloneUntilItDies() throws Exception {
        deliver("Subject: one\n\nbody 1\n");
        byte[] before = Files.readAllBytes(mbox);
        Faults.arm("append.partial:crash");
        assertThrows(Faults.InjectedCrash.class, () -> deliver("Subject: big\n\n" + "b\n".repeat(5000)));
        Faults.arm("");
        // the lock names this process, which runs: a writer at work, as far as anyone can tell
        Files.write(Path.of(mbox + ".lock"), LockHolder.self().render("live"));
        long size = Files.size(mbox);
        try (SpoolGuardian g = SpoolGuardian.start(List.of(dir), options(), log())) {
            Thread.sleep(1500);
            assertEquals(0, g.finished(), events.toString());
            assertEquals(size, Files.size(mbox), "a live writer's half message is its own business");
            assertTrue(Files.exists(Journal.appendIntentFor(mbox)));
            deadWritersLock(); // it dies
            assertTrue(within(Duration.ofSeconds(5), () -> g.finished() == 1), events.toString());
            assertArrayEquals(before, Files.readAllBytes(mbox));
        }
    }

    @Test
    void aDeadLockAloneIsBrokenAndTheMailboxUntouched() throws Exception {
        deliver("Subject: one\n\nbody 1\n");
        byte[] before = Files.readAllBytes(mbox);
        deadWritersLock();
        assertEquals(1, SpoolGuardian.sweepOnce(List.of(dir), options(), log()), events.toString());
        assertFalse(Files.exists(Path.of(mbox + ".lock")));
        assertArrayEquals(before, Files.readAllBytes(mbox));
        // a fresh lock whose holder cannot be checked (c-client's is empty) waits for its stale period
        Files.write(Path.of(mbox + ".lock"), new byte[0]);
        assertEquals(0, SpoolGuardian.sweepOnce(List.of(dir), options(), log()), events.toString());
        assertTrue(Files.exists(Path.of(mbox + ".lock")));
    }

    @Test
    void aDirectoryThatIsNotOneIsRefusedByName() {
        Exception e = assertThrows(java.io.IOException.class,
                () -> SpoolGuardian.start(List.of(dir.resolve("nope")), options(), log()));
        assertTrue(e.getMessage().contains(dir.resolve("nope").toString()) && e.getMessage().contains("not a directory"),
                e.getMessage());
    }

    @Test
    void leftoversAreToldByName() {
        assertEquals(Optional.of(new Leftover(dir.resolve("bob"), Leftover.Kind.APPEND_NOTE)),
                Leftover.of(dir, ".bob.spoollock-append"));
        assertEquals(Optional.of(new Leftover(dir.resolve("bob"), Leftover.Kind.JOURNAL)),
                Leftover.of(dir, ".bob.spoollock-journal"));
        assertEquals(Optional.of(new Leftover(dir.resolve("bob"), Leftover.Kind.DOT_LOCK)), Leftover.of(dir, "bob.lock"));
        assertEquals(Optional.empty(), Leftover.of(dir, ".bob.spoollock-journal.tmp"), "never touched the mailbox");
        assertEquals(Optional.empty(), Leftover.of(dir, ".bob.spoollock-append.unresolved-1796276423"), "for a human");
        assertEquals(Optional.empty(), Leftover.of(dir, "bob.lock.1796276423.22550.vm"), "a hitching post");
        assertEquals(Optional.empty(), Leftover.of(dir, ".lock"));
        assertEquals(Optional.empty(), Leftover.of(dir, "bob"));
    }
}
