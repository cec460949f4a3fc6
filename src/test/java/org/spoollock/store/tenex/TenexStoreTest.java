package org.spoollock.store.tenex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.spoollock.lock.LockTimeoutException;
import org.spoollock.posix.Posix;
import org.spoollock.posix.Faults;
import org.spoollock.store.Flags;
import org.spoollock.store.journal.Journal;
import org.spoollock.store.MailboxInUseException;

class TenexStoreTest {
    private static final ZonedDateTime DATE = ZonedDateTime.of(1992, 12, 2, 5, 53, 22, 0, ZoneOffset.ofHours(-7));

    @TempDir
    Path dir;
    Path box;
    TenexMailbox.Options options;

    @BeforeEach
    void setUp() {
        box = dir.resolve("box");
        options = TenexMailbox.Options.defaults().withSessionDirectory(dir).withTimeout(Duration.ofSeconds(5))
                .withKeywords(List.of("work", "later", "$Junk"));
    }

    @AfterEach
    void disarm() {
        Faults.arm("");
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private void append(TenexFormat f, String... messages) throws Exception {
        for (String m : messages) {
            TenexMailbox.append(box, f, List.of(b(m)), 0, List.of(), DATE, true, options);
        }
    }

    @ParameterizedTest
    @EnumSource(TenexFormat.class)
    void appendWritesCClientsHeaderLinesAndTextAndReadsThemBack(TenexFormat f) throws Exception {
        TenexMailbox.append(box, f, List.of(b("Subject: a\r\n\r\nbody\r\n")), Flags.SEEN | Flags.FLAGGED,
                List.of("work", "$Junk"), DATE, true, options);
        String nl = f == TenexFormat.MTX ? "\r\n" : "\n";
        String text = "Subject: a" + nl + nl + "body" + nl;
        // keyword 0 (work) is bit 29, keyword 2 ($Junk) bit 27: 04000000000 + 01000000000
        assertEquals(" 2-Dec-1992 05:53:22 -0700," + text.length() + ";500000000005" + nl + text,
                Files.readString(box, StandardCharsets.ISO_8859_1));
        try (TenexMailbox m = TenexMailbox.open(box, f, false, options)) {
            TenexIndex i = m.index();
            assertEquals(1, i.count());
            assertEquals(Flags.SEEN | Flags.FLAGGED, i.flags(1));
            assertEquals(List.of("work", "$Junk"), i.keywords(1));
            assertTrue(i.recent(1));
            assertEquals(DATE.toInstant(), i.internalDate(1).toInstant());
            assertEquals(20, m.size(1), "CRLF size");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            m.writeMessage(1, out);
            assertEquals(text, out.toString(StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void flagsChangeInPlaceAndReadWriteOpensMarkNewMailOld() throws Exception {
        append(TenexFormat.TENEX, "Subject: a\n\n1\n", "Subject: b\n\n2\n", "Subject: c\n\n3\n");
        long size = Files.size(box);
        try (TenexMailbox m = TenexMailbox.open(box, TenexFormat.TENEX, true, options)) {
            m.setFlags(List.of(2, 3), Flags.DELETED | Flags.ANSWERED, 0, List.of("later"), List.of());
        }
        assertEquals(size, Files.size(box));
        try (TenexMailbox m = TenexMailbox.open(box, TenexFormat.TENEX, false, options)) {
            assertFalse(m.index().recent(1), "the read-write open marked it old");
            assertEquals(Flags.DELETED | Flags.ANSWERED, m.index().flags(3));
            assertEquals(List.of("later"), m.index().keywords(2));
        }
        assertTrue(Files.readString(box).contains(";200000000032\n"), Files.readString(box));
        assertThrows(IllegalArgumentException.class, () -> {
            try (TenexMailbox m = TenexMailbox.open(box, TenexFormat.TENEX, true, options)) {
                m.setFlags(List.of(1), 0, 0, List.of("unconfigured"), List.of());
            }
        });
    }

    @Test
    void expungeCompactsInPlaceAndIsRefusedWhileAnotherSessionHasItOpen() throws Exception {
        append(TenexFormat.MTX, "Subject: a\n\n1\n", "Subject: b\n\n2\n", "Subject: c\n\n3\n");
        long ino = Posix.get().stat(box.toString()).ino();
        try (TenexMailbox reader = TenexMailbox.open(box, TenexFormat.MTX, false, options);
             TenexMailbox m = TenexMailbox.open(box, TenexFormat.MTX, true, options)) {
            m.setFlags(List.of(1, 3), Flags.DELETED, 0, List.of(), List.of());
            MailboxInUseException e = assertThrows(MailboxInUseException.class, m::expunge);
            assertTrue(e.getMessage().contains("in use by another process"), e.getMessage());
            assertEquals(3, reader.index().count());
        }
        try (TenexMailbox m = TenexMailbox.open(box, TenexFormat.MTX, true, options)) {
            assertEquals(2, m.expunge());
            assertEquals(1, m.index().count());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            m.writeMessage(1, out);
            assertEquals("Subject: b\r\n\r\n2\r\n", out.toString(StandardCharsets.ISO_8859_1));
        }
        assertEquals(ino, Posix.get().stat(box.toString()).ino());
    }

    /**
     * A big message 1 and {@code others} appended, message 1 deleted, and the expunge killed after its
     * commit, half-way through patching the mailbox (its journal left for recovery).
     */
    private void expungeKilledAfterCommit(TenexFormat f, String... others) throws Exception {
        append(f, "Subject: a\n\n" + "x\n".repeat(2000));
        append(f, others);
        try (TenexMailbox m = TenexMailbox.open(box, f, true, options)) {
            m.setFlags(List.of(1), Flags.DELETED, 0, List.of(), List.of());
            Faults.arm("rewrite.applying:crash");
            assertThrows(Faults.InjectedCrash.class, m::expunge);
            Faults.arm("");
        }
    }

    @Test
    void anExpungeCrashedAfterItsCommitIsFinishedByTheNextReadWriteOpen() throws Exception {
        expungeKilledAfterCommit(TenexFormat.TENEX, "Subject: b\n\n2\n", "Subject: c\n\n3\n");
        assertTrue(Files.exists(Journal.pathFor(box)));
        // meanwhile another program appends (after the crash): kept
        TenexMailbox.append(box, TenexFormat.TENEX, List.of(b("Subject: d\n\n4\n")), 0, List.of(), DATE, false, options);
        try (TenexMailbox m = TenexMailbox.open(box, TenexFormat.TENEX, true, options)) {
            assertEquals(3, m.index().count());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            m.writeMessage(3, out);
            assertEquals("Subject: d\n\n4\n", out.toString(StandardCharsets.ISO_8859_1));
        }
        assertFalse(Files.exists(Journal.pathFor(box)));
    }

    /**
     * A read-write open finishes an interrupted expunge itself. It used to try for the exclusive
     * session lock while holding its own shared one, and so waited for itself until the timeout.
     */
    @Test
    void aReadWriteOpenFinishesAnInterruptedExpungeWithoutWaitingForItself() throws Exception {
        expungeKilledAfterCommit(TenexFormat.MTX, "Subject: b\n\n2\n");
        // waiting for itself ends in a lock-timeout exception, which fails the open: no clock needed
        try (TenexMailbox m = TenexMailbox.open(box, TenexFormat.MTX, true, options)) {
            assertEquals(1, m.index().count());
        }
        assertFalse(Files.exists(Journal.pathFor(box)));
    }

    /**
     * An append's note exists while it writes: readers opening meanwhile must not take it for a dead
     * writer's (it is only that under the shared session lock, which a live appender excludes).
     */
    @Test
    void opensDuringAppendsDoNotMistakeALiveAppendersNoteForADeadOnes() throws Exception {
        append(TenexFormat.TENEX, "Subject: first\n\n1\n");
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger appended = new java.util.concurrent.atomic.AtomicInteger();
        // the appender runs until the opens are done (a deliverer's pace: a millisecond between appends, so
        // that the test is about what the opens conclude, not about who wins the lock more often)
        java.util.concurrent.CompletableFuture<Integer> appender = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                while (!stop.get() && appended.get() < 5000) {
                    TenexMailbox.append(box, TenexFormat.TENEX, List.of(b("Subject: m\n\n" + "x\n".repeat(3000))), 0,
                            List.of(), DATE, false, options);
                    appended.incrementAndGet();
                    Thread.sleep(1);
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
            return appended.get();
        });
        int atFirstOpen = -1;
        int atLastOpen = -1;
        try {
            // at least 30 rounds, and on until appends have finished between the first and the last open (the
            // appender may not have got going when 30 quick rounds are over)
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            for (int i = 0; (i < 30 || atLastOpen - atFirstOpen < 2) && !appender.isDone() && System.nanoTime() < deadline; i++) {
                for (boolean rw : new boolean[] {false, true}) {
                    try (TenexMailbox m = TenexMailbox.open(box, TenexFormat.TENEX, rw, options)) {
                        assertTrue(m.index().count() >= 1);
                    }
                    if (atFirstOpen < 0) {
                        atFirstOpen = appended.get();
                    }
                    atLastOpen = appended.get();
                }
            }
        } finally {
            stop.set(true);
        }
        assertTrue(appender.get(60, java.util.concurrent.TimeUnit.SECONDS) > 0);
        assertTrue(atLastOpen > atFirstOpen, "the opens ran alongside the appends: " + atFirstOpen + " -> " + atLastOpen);
    }

    /**
     * `spoollock lock` on a tenex mailbox finishes an interrupted rewrite before its command, as on an
     * mbox. It used to open the tenex store read-only for that, which refuses to finish anything:
     * the command failed with "open the mailbox read-write".
     */
    @Test
    void theLockCommandFinishesAnInterruptedTenexExpungeBeforeItsCommand() throws Exception {
        expungeKilledAfterCommit(TenexFormat.TENEX, "Subject: b\n\n2\n");
        assertTrue(Files.exists(Journal.pathFor(box)));
        Path seen = dir.resolve("seen");
        assertEquals(0, org.spoollock.cli.Main.run("lock", "--session-dir", dir.toString(), box.toString(), "--", "cp",
                box.toString(), seen.toString()));
        assertFalse(Files.exists(Journal.pathFor(box)));
        assertArrayEquals(Files.readAllBytes(box), Files.readAllBytes(seen), "the command saw the finished expunge");
        try (TenexMailbox m = TenexMailbox.open(box, TenexFormat.TENEX, false, options)) {
            assertEquals(1, m.index().count());
        }
    }

    @Test
    void damageIsReportedWithItsOffset() throws Exception {
        append(TenexFormat.TENEX, "Subject: a\n\n1\n");
        long size = Files.size(box);
        Files.writeString(box, " 2-Dec-1992 05:53:22 -0700,500;000000000000\nshort", StandardOpenOption.APPEND);
        TenexIndex.BadTenexMailboxException e = assertThrows(TenexIndex.BadTenexMailboxException.class,
                () -> TenexMailbox.open(box, TenexFormat.TENEX, false, options));
        assertTrue(e.getMessage().contains("offset " + size) && e.getMessage().contains("runs past the end"), e.getMessage());
        Files.writeString(box, "garbage\n");
        e = assertThrows(TenexIndex.BadTenexMailboxException.class, () -> TenexMailbox.open(box, TenexFormat.TENEX, false,
                options));
        assertTrue(e.getMessage().contains("offset 0"), e.getMessage());
    }

    /** The store's flock wait is the mailbox lock's: a timeout names who holds the file (it named nobody). */
    @Test
    void aFlockTimeoutNamesTheHolder() throws Exception {
        append(TenexFormat.TENEX, "Subject: a\n\n1\n");
        Posix posix = Posix.get();
        int fd = posix.open(box.toString(), Posix.O_RDONLY | Posix.O_CLOEXEC, 0);
        try {
            assertTrue(posix.flock(fd, Posix.LOCK_EX | Posix.LOCK_NB, box.toString()));
            LockTimeoutException e = assertThrows(LockTimeoutException.class, () -> TenexMailbox.open(box,
                    TenexFormat.TENEX, false, options.withTimeout(Duration.ofMillis(300))).close());
            assertTrue(e.getMessage().contains("held by") && e.getMessage().contains("pid " + ProcessHandle.current().pid()),
                    e.getMessage());
        } finally {
            posix.close(fd, box.toString());
        }
    }
}
