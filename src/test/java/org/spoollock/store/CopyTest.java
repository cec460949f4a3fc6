package org.spoollock.store;

import org.spoollock.posix.Faults;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.lock.MailboxLockOptions;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.mbox.MboxAppender;
import org.spoollock.store.mbox.MboxIndex;
import org.spoollock.store.mbox.MboxMailbox;
import org.spoollock.store.mbox.MboxEncoding;
import org.spoollock.store.mbox.Quoting;

class CopyTest {
    @TempDir
    Path dir;
    VerifiedCopy.Options options;
    MboxMailbox.Options mbox;

    @BeforeEach
    void setUp() {
        StoreOptions store = StoreOptions.defaults().withTimeout(Duration.ofSeconds(10))
                .withSession(SessionLockOptions.defaults().withDirectory(dir)).withKeywords(List.of("work", "later"));
        options = new VerifiedCopy.Options(null, false, null, store);
        mbox = MboxMailbox.Options.defaults().withTimeout(Duration.ofSeconds(10))
                .withSession(SessionLockOptions.defaults().withDirectory(dir));
    }

    @AfterEach
    void disarm() {
        Faults.arm("");
    }

    private Path mbox(int messages) throws Exception {
        Path src = dir.resolve("src");
        List<byte[]> all = new ArrayList<>();
        for (int i = 1; i <= messages; i++) {
            ZonedDateTime date = ZonedDateTime.of(2026, 1, 1 + i % 28, i % 24, i % 60, i % 60, 0, ZoneOffset.ofHours(i % 5 - 2));
            all.add(MboxEncoding.format(("Message-ID: <" + i + "@copy>\nSubject: " + i + "\n\nFrom the body of " + i + "\r\n"
                    + ">From quoted\nline\n").getBytes(StandardCharsets.ISO_8859_1), "s" + i + "@example.org", date, 0,
                    List.of(), Quoting.MBOXO));
        }
        MboxAppender.append(src, all, MailboxLockOptions.defaults().withCreateMissing(true), Duration.ofSeconds(10));
        try (MboxMailbox m = MboxMailbox.openReadWrite(src, mbox)) {
            for (int i = 1; i <= messages; i++) {
                List<String> kw = i % 3 == 0 ? List.of("work") : i % 3 == 1 ? List.of("work", "later") : List.of();
                m.setFlags(List.of(i), (i % 2 == 0 ? Flags.SEEN : 0) | (i % 7 == 0 ? Flags.FLAGGED | Flags.DELETED : 0)
                        | (i % 11 == 0 ? Flags.ANSWERED | Flags.DRAFT : 0), 0, kw, List.of());
            }
        }
        return src;
    }

    private VerifiedCopy.Result copy(Path from, String to) throws Exception {
        return VerifiedCopy.run(Drivers.parse(from.toString()), Drivers.parse(to), options);
    }

    @Test
    void roundTripMboxTenexMtxMboxKeepsEveryMessageFlagKeywordAndDate() throws Exception {
        Path src = mbox(60);
        VerifiedCopy.Result a = copy(src, "tenex:" + dir.resolve("t"));
        assertEquals(List.of(), a.differences());
        assertEquals(60, a.copied());
        VerifiedCopy.Result b = copy(dir.resolve("t"), "mtx:" + dir.resolve("x"));
        assertEquals(List.of(), b.differences());
        VerifiedCopy.Result c = copy(dir.resolve("x"), "mbox:" + dir.resolve("back"));
        assertEquals(List.of(), c.differences());
        MboxIndex s = MboxIndex.scan(src);
        MboxIndex r = MboxIndex.scan(dir.resolve("back"));
        assertEquals(s.count(), r.count());
        for (int i = 1; i <= s.count(); i++) {
            assertEquals(s.flags(i), r.flags(i), "message " + i);
            assertEquals(s.keywords(i), r.keywords(i), "message " + i);
            assertEquals(s.internalDate(i).toEpochSecond(), r.internalDate(i).toEpochSecond(), "message " + i);
            assertEquals(s.size(i), r.size(i), "message " + i);
        }
        // UIDs: tenex and mtx keep none, so the way back numbers them 1..n afresh
        assertEquals(60, r.uidLast());
    }

    /** The formats of issue 19's round trip, in its order. */
    private static final List<String> ROUND_TRIP = List.of("mbx", "maildir", "mix", "mmdf", "tenex", "mbox");

    /**
     * mbox -> mbx -> Maildir -> mix -> mmdf -> tenex -> mbox: every message's text (the headers other than the
     * status headers, and the body, with From_ lines inside it), flags, keywords and date come back as they
     * left; each hop verified. LF line ends, as mailboxes hold them (Maildir stores CRLF as LF).
     */
    @Test
    void roundTripThroughEveryFormatKeepsEveryMessageByteForByte() throws Exception {
        Path src = dir.resolve("src");
        List<byte[]> all = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            ZonedDateTime date = ZonedDateTime.of(2026, 1, 1 + i % 28, i % 24, i % 60, i % 60, 0, ZoneOffset.ofHours(i % 5 - 2));
            all.add(MboxEncoding.format(("Message-ID: <" + i + "@trip>\nSubject: trip " + i + "\nX-Other: kept\n\nFrom the body of "
                    + i + "\n>From quoted\n\n" + "line\u00e9 ".repeat(i * 7) + "\n" + (i % 4 == 0 ? "" : "last\n"))
                    .getBytes(StandardCharsets.ISO_8859_1), "s" + i + "@example.org", date, 0, List.of(), Quoting.MBOXO));
        }
        MboxAppender.append(src, all, MailboxLockOptions.defaults().withCreateMissing(true), Duration.ofSeconds(10));
        try (MboxMailbox m = MboxMailbox.openReadWrite(src, mbox)) {
            for (int i = 1; i <= 40; i++) {
                List<String> kw = i % 3 == 0 ? List.of("work") : i % 3 == 1 ? List.of("work", "later") : List.of();
                m.setFlags(List.of(i), (i % 2 == 0 ? Flags.SEEN : 0) | (i % 7 == 0 ? Flags.FLAGGED | Flags.DELETED : 0)
                        | (i % 11 == 0 ? Flags.ANSWERED | Flags.DRAFT : 0), 0, kw, List.of());
            }
        }
        Path from = src;
        List<String> hops = new ArrayList<>();
        for (String format : ROUND_TRIP) {
            Path to = dir.resolve("hop-" + hops.size() + "-" + format);
            VerifiedCopy.Result r = copy(from, format + ":" + to);
            assertEquals(List.of(), r.differences(), from + " -> " + format);
            assertEquals(40, r.copied(), from + " -> " + format);
            hops.add(format);
            from = to;
        }
        assertEquals(ROUND_TRIP, hops);
        StoreOptions so = options.store();
        try (Mailbox a = Drivers.open(MailboxRef.of(src), false, so); Mailbox b = Drivers.open(MailboxRef.of(from), false, so)) {
            assertEquals(40, b.index().count());
            for (int i = 1; i <= 40; i++) {
                String via = "message " + i + " via " + hops;
                assertEquals(withoutStatus(a.content(i)), withoutStatus(b.content(i)), via);
                assertEquals(a.index().flags(i), b.index().flags(i), via);
                assertEquals(a.index().keywords(i), b.index().keywords(i), via);
                assertEquals(a.index().internalDate(i).toInstant(), b.index().internalDate(i).toInstant(), via);
            }
        }
    }

    /** The message's text without c-client's status header lines (which each format keeps its own way). */
    private static String withoutStatus(byte[] content) {
        StringBuilder out = new StringBuilder();
        boolean header = true;
        for (String line : new String(content, StandardCharsets.ISO_8859_1).split("(?<=\n)")) {
            if (header && line.matches("(?i)(Status|X-Status|X-Keywords|X-UID|X-IMAP|X-IMAPbase):.*\n")) {
                continue;
            }
            header &= !line.equals("\n");
            out.append(line);
        }
        return out.toString();
    }

    @Test
    void mboxToMboxKeepsUidsAndUidValidity() throws Exception {
        Path src = mbox(30);
        try (MboxMailbox m = MboxMailbox.openReadWrite(src, mbox)) {
            m.setFlags(List.of(1, 2, 3), Flags.DELETED, 0, List.of(), List.of());
            m.expunge(); // UIDs now start at 4
        }
        VerifiedCopy.Result r = copy(src, dir.resolve("dst").toString());
        assertEquals(List.of(), r.differences());
        MboxIndex s = MboxIndex.scan(src);
        MboxIndex d = MboxIndex.scan(dir.resolve("dst"));
        assertEquals(s.uidValidity(), d.uidValidity());
        assertEquals(4, d.uid(1));
        assertEquals(s.uidLast(), d.uidLast());
        // written in c-client's checkpointed layout: c-client has nothing to rewrite when it opens the copy
        org.junit.jupiter.api.Assertions.assertFalse(d.needsCheckpoint());
    }

    @Test
    void anInterruptedCopyResumesWithoutDuplicates() throws Exception {
        Path src = mbox(1200);
        Path dst = dir.resolve("dst");
        Faults.arm("copy.batch:crash");
        assertThrows(Faults.InjectedCrash.class, () -> copy(src, "tenex:" + dst));
        Faults.arm("");
        VerifiedCopy.TargetNotEmptyException e = assertThrows(VerifiedCopy.TargetNotEmptyException.class,
                () -> copy(src, "tenex:" + dst));
        assertTrue(e.getMessage().contains("--resume"), e.getMessage());
        options = new VerifiedCopy.Options(null, true, null, options.store());
        VerifiedCopy.Result r = copy(src, "tenex:" + dst);
        assertEquals(List.of(), r.differences());
        assertEquals(500, r.alreadyThere());
        assertEquals(700, r.copied());
        try (Mailbox t = Drivers.open(MailboxRef.of("tenex", dst), false, options.store())) {
            assertEquals(1200, t.index().count());
        }
        // a target that is not this copy's beginning is refused
        Files.writeString(dir.resolve("other"), "From a@b Mon Nov  2 05:03:22 2026\nSubject: x\n\ny\n");
        assertThrows(VerifiedCopy.TargetNotEmptyException.class, () -> copy(src, dir.resolve("other").toString()));
    }

    /**
     * A copy killed inside an append leaves the batch written and its note: --resume finishes it (the
     * note cuts the batch out) and goes on. It opened the target read-only, and mbx and tenex refused
     * ("open the mailbox read-write to finish it": the power-loss run's copy --resume refusals).
     */
    @Test
    void resumeFinishesAnAppendTheCopyLeftHalfDone() throws Exception {
        Path src = mbox(700);
        for (String format : List.of("tenex", "mtx", "mbx", "mbox")) {
            Path dst = dir.resolve("cut." + format);
            options = new VerifiedCopy.Options(null, false, null, options.store());
            Faults.arm("append.written:crash");
            assertThrows(Faults.InjectedCrash.class, () -> copy(src, format + ":" + dst));
            Faults.arm("");
            assertTrue(Files.size(dst) > 0, format);
            options = new VerifiedCopy.Options(null, true, null, options.store());
            VerifiedCopy.Result r = copy(src, format + ":" + dst);
            assertEquals(List.of(), r.differences(), format);
            assertEquals(700, r.alreadyThere() + r.copied(), format);
            try (Mailbox t = Drivers.open(MailboxRef.of(format, dst), false, options.store())) {
                assertEquals(700, t.index().count(), format);
            }
        }
    }

    /** The verification can fail: a byte changed, a flag changed or a message missing in the copy is reported. */
    @Test
    void resumingOntoADamagedCopyNamesTheDifference() throws Exception {
        Path src = mbox(1200);
        for (String format : List.of("tenex", "mbox")) {
            Path dst = dir.resolve("damaged." + format);
            Faults.arm("copy.batch:crash");
            assertThrows(Faults.InjectedCrash.class, () -> copy(src, format + ":" + dst));
            Faults.arm("");
            // one byte of message 3's body ("From the body of 3"): the same length, another CRC
            byte[] b = Files.readAllBytes(dst);
            int at = new String(b, StandardCharsets.ISO_8859_1).indexOf("the body of 3\n");
            b[at] = 'T';
            Files.write(dst, b);
            options = new VerifiedCopy.Options(null, true, null, options.store());
            VerifiedCopy.TargetNotEmptyException e = assertThrows(VerifiedCopy.TargetNotEmptyException.class,
                    () -> copy(src, format + ":" + dst));
            assertTrue(e.getMessage().contains("message 3: contents differ"), e.getMessage());
            options = new VerifiedCopy.Options(null, false, null, options.store());
        }
    }
}
