package org.spoollock.store.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.Capability;
import org.spoollock.store.Changes;
import org.spoollock.store.DeliveryQueue;
import org.spoollock.store.Drivers;
import org.spoollock.posix.Faults;
import org.spoollock.store.FileProbe;
import org.spoollock.store.Flags;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxDriver;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.NewMessage;
import org.spoollock.store.StorageErrors;
import org.spoollock.store.StorageException;
import org.spoollock.store.StoreOptions;

/**
 * What every mailbox format promises through the store interface, run by each driver's subclass (as
 * Lucene's BaseDirectoryTestCase): delivery and reading back, flags and keywords kept, keywords
 * validated, UIDs stable while UIDVALIDITY stays, concurrent delivery, bad input refused, and a crash
 * at every fault point the format passes leaving the state before or after, never between.
 */
public abstract class MailboxContractTest {
    static final ZonedDateTime DATE = ZonedDateTime.of(2026, 11, 2, 5, 3, 22, 0, ZoneOffset.ofHours(-7));
    /** A keyword every format can keep (tenex/mtx: configured for these tests). */
    static final String KEYWORD = "work";
    /** A keyword longer than mbox's padding for X-Keywords: setting it makes the rewrite grow the file. */
    static final String LONG_KEYWORD = "a-keyword-long-enough-to-outgrow-the-padding-of-x-keywords";

    /** {@link #LONG_KEYWORD}, or the longest keyword a format keeps if shorter (mix: c-client's MAXUSERFLAG, 50). */
    protected String longKeyword() {
        return LONG_KEYWORD;
    }

    @TempDir
    Path dir;
    MailboxRef ref;
    StoreOptions options;

    /** The driver under test. */
    protected abstract MailboxDriver driver();

    /** Fault points a crash test of {@code operation} (append, flag, expunge) must reach for this format. */
    protected abstract Set<String> faultPoints(String operation);

    /** A delivered message's text as the format's readers see it ({@code text} of what was given, for most). */
    protected String delivered(String text) {
        return text;
    }

    /**
     * What the probe says of a mailbox just created. A file format's empty file is EMPTY (any file format may
     * take it, c-client's rule); a directory format's empty mailbox is already its own shape (Maildir's
     * cur/new/tmp), so it is MINE, or the registry would hand it to mbox.
     */
    protected MailboxDriver.Probe emptyProbe() {
        return MailboxDriver.Probe.EMPTY;
    }

    /**
     * Makes the mailbox something its format cannot read: a file format's is replaced by a text file; a
     * directory format (Maildir) overrides this to damage its control file instead (a directory cannot be
     * overwritten by a file, and the bad data that matters there is in its index).
     */
    protected void spoil(Path mailbox) throws Exception {
        Files.writeString(mailbox, "this is not a mailbox\nof any kind\n");
    }

    /**
     * Everything stored at {@code p}, to check that nothing was written: a file's bytes, or for a directory
     * format every file under it (name and bytes), since such a mailbox is not a single file.
     */
    static List<String> snapshot(Path p) throws Exception {
        if (!Files.isDirectory(p)) {
            return List.of(java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
        }
        List<String> out = new ArrayList<>();
        try (var files = Files.walk(p)) {
            for (Path f : files.sorted().toList()) {
                out.add(p.relativize(f) + (Files.isRegularFile(f) ? " " + java.util.HexFormat.of().formatHex(
                        Files.readAllBytes(f)) : "/"));
            }
        }
        return out;
    }

    /** Removes the mailbox, a file or (directory formats) a tree. */
    static void remove(Path p) throws Exception {
        if (Files.isDirectory(p)) {
            try (var files = Files.walk(p)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        } else {
            Files.deleteIfExists(p);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        ref = MailboxRef.of(driver().name(), dir.resolve("box"));
        options = StoreOptions.defaults().withTimeout(Duration.ofSeconds(10))
                .withSession(SessionLockOptions.defaults().withDirectory(dir).withAskFor(Duration.ofSeconds(1)))
                .withKeywords(List.of(KEYWORD, "later", longKeyword()));
        driver().create(ref, options);
    }

    @AfterEach
    void disarm() {
        Faults.arm("");
    }

    static NewMessage message(String subject) {
        return NewMessage.of(("Subject: " + subject + "\nFrom: a@example.org\n\nbody of " + subject + "\n>From here on\n")
                .getBytes(StandardCharsets.ISO_8859_1), DATE);
    }

    /** The message as handed out, with line ends as LF (mtx stores CRLF). */
    static String text(byte[] content) {
        return new String(content, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
    }

    void deliver(String... subjects) throws Exception {
        List<NewMessage> l = new ArrayList<>();
        for (String s : subjects) {
            l.add(message(s));
        }
        driver().append(ref, l, false, options);
    }

    List<String> subjects(Mailbox m) throws Exception {
        List<String> out = new ArrayList<>();
        for (int n = 1; n <= m.index().count(); n++) {
            String t = text(m.content(n));
            out.add(t.substring("Subject: ".length(), t.indexOf('\n')));
        }
        return out;
    }

    @Test
    void theRegistryFindsTheFormatByContentAndByName() throws Exception {
        deliver("a");
        assertEquals(driver().name(), Drivers.driverFor(MailboxRef.of(ref.path())).name(), "probe of a non-empty mailbox");
        assertEquals(MailboxDriver.Probe.MINE, driver().probe(ref, FileProbe.head(ref.path())));
        assertEquals(ref, Drivers.parse(driver().name() + ":" + ref.location()));
        Path other = dir.resolve("empty");
        driver().create(MailboxRef.of(other), options);
        assertEquals(emptyProbe(), driver().probe(MailboxRef.of(other), FileProbe.head(other)));
        StorageException e = assertThrows(StorageException.class, () -> driver().create(ref, options));
        assertEquals(StorageException.Category.EXISTS, e.category());
    }

    /**
     * A message appended through an open session with a keyword the mailbox has never had keeps it, for
     * every format that can hold any keyword (mbox and mmdf dropped it: the keyword was written in the
     * message's X-Keywords but not added to X-IMAPbase's list, so every reader ignored it).
     */
    @Test
    void aKeywordNewToTheMailboxArrivesWithTheMessageAppendedThroughASession() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(driver().capabilities().contains(
                org.spoollock.store.Capability.ANY_KEYWORDS), "the format keeps only configured keywords");
        deliver("first");
        NewMessage m = message("tagged");
        NewMessage tagged = new NewMessage(m.content(), Flags.FLAGGED, List.of("brand-new"), m.date(), m.sender());
        try (Mailbox rw = Drivers.open(ref, true, options)) {
            rw.changes().append(tagged).commit();
            assertEquals(List.of("brand-new"), rw.index().keywords(2), "as the session sees it");
        }
        try (Mailbox ro = Drivers.open(ref, false, options)) {
            assertEquals(List.of("brand-new"), ro.index().keywords(2), "read anew");
            assertEquals(Flags.FLAGGED, ro.index().flags(2) & Flags.FLAGGED);
            assertEquals(List.of(), ro.index().keywords(1));
        }
    }

    @Test
    void deliveredMessagesReadBackAsGivenWithTheirDates() throws Exception {
        deliver("one", "two", "three");
        try (Mailbox m = Drivers.open(ref, false, options)) {
            assertEquals(3, m.status().count());
            assertEquals(List.of("one", "two", "three"), subjects(m));
            assertEquals(delivered(text(message("two").content())), text(m.content(2)));
            assertEquals(DATE.toInstant(), m.index().internalDate(2).toInstant());
            List<String> bulk = new ArrayList<>();
            m.read(1, 3, (n, c) -> bulk.add(text(c)));
            assertEquals(List.of(text(m.content(1)), text(m.content(2)), text(m.content(3))), bulk);
            assertTrue(m.size(1) > 0);
        }
    }

    @Test
    void flagsAndKeywordsAreKept() throws Exception {
        deliver("one", "two");
        try (Mailbox m = Drivers.open(ref, true, options)) {
            m.changes().setFlags(List.of(1), Flags.SEEN | Flags.FLAGGED, 0, List.of(KEYWORD), List.of()).commit();
            m.changes().setFlags(List.of(2), Flags.ANSWERED, 0, List.of(), List.of()).commit();
            m.changes().setFlags(List.of(1), 0, Flags.FLAGGED, List.of(), List.of()).commit();
        }
        try (Mailbox m = Drivers.open(ref, false, options)) {
            assertEquals(Flags.SEEN, m.index().flags(1));
            assertEquals(List.of(KEYWORD), m.index().keywords(1));
            assertEquals(Flags.ANSWERED, m.index().flags(2));
            assertEquals(List.of(), m.index().keywords(2));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"two words", "crlf\r\nX-Injected: yes", "lf\nStatus: RO", "", "paren(", "back\\slash", "\\Seen"})
    void badKeywordsAreRefusedAndNothingIsWritten(String bad) throws Exception {
        deliver("one");
        Drivers.open(ref, true, options).close(); // what a read-write open itself writes (tenex: the "old" flag)
        List<String> before = snapshot(ref.path());
        try (Mailbox m = Drivers.open(ref, true, options)) {
            StorageException e = assertThrows(StorageException.class,
                    () -> m.changes().setFlags(List.of(1), 0, 0, List.of(bad), List.of()).commit());
            assertEquals(StorageException.Category.INVALID_INPUT, e.category());
            // a message to append cannot even be made with it, so no append of any kind can store it
            IllegalArgumentException a = assertThrows(IllegalArgumentException.class,
                    () -> new NewMessage(message("x").content(), 0, List.of(bad), DATE, null));
            assertTrue(a.getMessage().contains("not a valid keyword"), a.getMessage());
        }
        assertEquals(before, snapshot(ref.path()));
    }

    @Test
    void uidsStayWhileUidValidityStays() throws Exception {
        deliver("one", "two", "three", "four");
        try (Mailbox m = Drivers.open(ref, true, options)) {
            long validity = m.status().uidValidity();
            List<Long> uids = new ArrayList<>();
            for (int n = 1; n <= 4; n++) {
                uids.add(m.index().uid(n));
            }
            assertEquals(4, new HashSet<>(uids).size(), "UIDs are distinct: " + uids);
            assertTrue(m.status().uidNext() > Collections.max(uids));
            long nextBefore = m.status().uidNext();
            Changes.Committed c = m.changes().setFlags(List.of(2, 3), Flags.DELETED, 0, List.of(), List.of()).expunge().commit();
            assertEquals(List.of(2, 3), c.expunged());
            assertEquals(validity, m.status().uidValidity());
            assertEquals(List.of("one", "four"), subjects(m));
            assertEquals(uids.get(0), m.index().uid(1));
            assertEquals(uids.get(3), m.index().uid(2));
            assertTrue(m.status().uidNext() >= nextBefore, "UIDNEXT went backwards");
            // new mail from another program gets a UID above every UID given before
            deliver("five");
            assertEquals(1, m.sync());
            assertTrue(m.index().uid(3) >= nextBefore, "new mail's UID " + m.index().uid(3) + " reuses one");
            // an append through the interface says which UID it gave
            Changes.Committed a = m.changes().append(message("six")).commit();
            assertEquals(List.of(m.index().uid(4)), a.appendedUids());
            assertEquals(validity, m.status().uidValidity());
        }
        if (driver().capabilities().contains(Capability.PERSISTENT_UIDS)) {
            try (Mailbox m = Drivers.open(ref, false, options)) {
                assertEquals(List.of("one", "four", "five", "six"), subjects(m));
                assertEquals(1L, m.index().uid(1));
                assertEquals(4L, m.index().uid(2));
            }
        } else {
            long first;
            try (Mailbox m = Drivers.open(ref, false, options)) {
                first = m.status().uidValidity();
            }
            try (Mailbox m = Drivers.open(ref, false, options)) {
                assertNotEquals(first, m.status().uidValidity(), "UIDs numbered anew under the same UIDVALIDITY");
            }
        }
    }

    @Test
    void concurrentDeliveriesAllArriveWhole() throws Exception {
        int threads = 4;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        driver().append(ref, List.of(message("t" + id + "-" + i)), false, options);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        try (Mailbox m = Drivers.open(ref, false, options)) {
            List<String> s = subjects(m);
            assertEquals(threads * each, s.size());
            assertEquals(threads * each, new HashSet<>(s).size());
            for (int n = 1; n <= m.index().count(); n++) {
                String subject = s.get(n - 1);
                assertEquals(delivered(text(message(subject).content())), text(m.content(n)));
            }
        }
    }

    /**
     * The UIDs a commit reports for its appends are those of its own messages: mail another program
     * delivered since the session last looked is parsed by the same commit and must not be taken for
     * ours (an IMAP server answers APPENDUID with these). Consecutive appends go in together.
     */
    @Test
    void appendedUidsAreThoseOfTheAppendedMessagesEvenWhenOthersDeliveredMeanwhile() throws Exception {
        Drivers.append(ref, List.of(message("first")), false, options);
        try (Mailbox m = driver().open(ref, true, options)) {
            Drivers.append(ref, List.of(message("behind our back")), false, options); // another program
            List<Long> uids = m.changes().append(message("ours 1")).append(message("ours 2")).commit().appendedUids();
            assertEquals(2, uids.size(), uids.toString());
            assertEquals(4, m.index().count(), "the other program's message was read too");
            for (int k = 0; k < 2; k++) {
                int n = -1;
                for (int i = 1; i <= m.index().count(); i++) {
                    if (m.index().uid(i) == uids.get(k)) {
                        n = i;
                    }
                }
                assertTrue(n > 0, "UID " + uids.get(k) + " is in the mailbox");
                assertTrue(text(m.content(n)).startsWith("Subject: ours " + (k + 1) + "\n"), text(m.content(n)));
            }
        }
    }

    /**
     * Threads delivering through one {@link DeliveryQueue} share appends (group commit); a message
     * the format cannot store (a sender with a line break) fails alone, never its group.
     */
    @Test
    void groupCommittedDeliveriesAllArriveOnceAndABadMessageFailsAlone() throws Exception {
        DeliveryQueue q = new DeliveryQueue.Registry(false, options).of(ref);
        int threads = 8;
        int each = 20;
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        if (i == each / 2) {
                            NewMessage bad = new NewMessage(message("bad" + id).content(), 0, List.of(), DATE,
                                    "evil\nFrom x");
                            try {
                                q.deliver(bad);
                            } catch (IllegalArgumentException e) {
                                refused.incrementAndGet();
                            }
                        }
                        q.deliver(message("q" + id + "-" + i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        boolean keepsSender = driver().capabilities().contains(Capability.ENVELOPE_SENDER);
        assertEquals(keepsSender ? threads : 0, refused.get(), "only a format that writes the sender refuses it");
        try (Mailbox m = Drivers.open(ref, false, options)) {
            List<String> s = subjects(m);
            s.removeIf(x -> x.startsWith("bad"));
            assertEquals(threads * each, s.size());
            assertEquals(threads * each, new HashSet<>(s).size());
        }
    }

    @Test
    void aFileNotInTheFormatIsRefusedAsInvalidData() throws Exception {
        spoil(ref.path());
        List<String> before = snapshot(ref.path());
        Exception e = assertThrows(Exception.class, () -> {
            try (Mailbox m = Drivers.open(ref, true, options)) {
                m.index().count();
            }
        });
        assertEquals(StorageException.Category.INVALID_DATA, StorageErrors.categoryOf(e), e.toString());
        assertTrue(e.getMessage().contains(ref.path().toString()), "the error names the mailbox: " + e.getMessage());
        assertEquals(before, snapshot(ref.path()));
    }

    @Test
    void aMissingMailboxIsNotFound() {
        MailboxRef missing = MailboxRef.of(driver().name(), dir.resolve("missing"));
        Exception e = assertThrows(Exception.class, () -> Drivers.open(missing, false, options).close());
        assertEquals(StorageException.Category.NOT_FOUND, StorageErrors.categoryOf(e), e.toString());
    }

    // --- crashes at every fault point: the state before or after, never between

    private static final List<String> POINTS = List.of("append.noted", "append.checked", "append.partial", "append.written",
            "rewrite.planned", "rewrite.committed", "rewrite.grown", "rewrite.applying");

    @ParameterizedTest
    @ValueSource(strings = {"append", "flag", "expunge"})
    void aCrashAtAnyFaultPointLeavesTheStateBeforeOrAfter(String operation) throws Exception {
        Set<String> reached = new HashSet<>();
        for (String point : POINTS) {
            remove(ref.path());
            driver().create(ref, options);
            deliver("one", "two-" + "x".repeat(6000), "three");
            if (operation.equals("expunge")) {
                try (Mailbox m = Drivers.open(ref, true, options)) {
                    m.changes().setFlags(List.of(2), Flags.DELETED, 0, List.of(), List.of()).commit();
                }
            }
            List<String> before;
            try (Mailbox m = Drivers.open(ref, true, options)) {
                before = state(m);
            }
            Faults.arm(point + ":crash");
            boolean crashed = false;
            try (Mailbox m = Drivers.open(ref, true, options)) {
                switch (operation) {
                    case "append" -> m.changes().append(message("four-" + "y".repeat(6000))).commit();
                    case "flag" -> m.changes().setFlags(List.of(1, 3), Flags.SEEN, 0,
                            List.of(KEYWORD, longKeyword()), List.of()).commit();
                    default -> m.changes().expunge().commit();
                }
            } catch (Faults.InjectedCrash e) {
                crashed = true;
            }
            Faults.arm("");
            List<String> after;
            try (Mailbox m = Drivers.open(ref, true, options)) { // a read-write open finishes or undoes the work
                after = state(m);
            }
            if (!crashed) {
                continue;
            }
            reached.add(point);
            List<String> done = expectedAfter(operation, before);
            assertTrue(after.equals(before) || after.equals(done), operation + " crashed at " + point
                    + ": neither before nor after\n  before " + before + "\n  after  " + done + "\n  found  " + after);
        }
        assertEquals(faultPoints(operation), reached, operation + ": fault points reached");
    }

    /** Each message as "subject flags keywords" (the subject's first 12 characters). */
    private List<String> state(Mailbox m) throws Exception {
        List<String> out = new ArrayList<>();
        List<String> s = subjects(m);
        for (int n = 1; n <= m.index().count(); n++) {
            String subject = s.get(n - 1);
            out.add(subject.substring(0, Math.min(12, subject.length())) + " " + Flags.letters(m.index().flags(n)) + " " + m.index().keywords(n));
        }
        return out;
    }

    private List<String> expectedAfter(String operation, List<String> before) {
        String longKeyword = longKeyword();
        List<String> out = new ArrayList<>(before);
        switch (operation) {
            case "append" -> out.add("four-yyyyyyy ----- []");
            case "flag" -> {
                out.set(0, before.get(0).replace(" ----- []", " S---- [" + KEYWORD + ", " + longKeyword + "]"));
                out.set(2, before.get(2).replace(" ----- []", " S---- [" + KEYWORD + ", " + longKeyword + "]"));
            }
            default -> out.remove(1);
        }
        return out;
    }
}
