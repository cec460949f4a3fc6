package org.spoollock.store.mbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parallel scan against the parse in one piece: every column of every message, the mailbox's UID
 * state, keyword list, warnings (their order and message numbers) and whether c-client would rewrite
 * it, for mailboxes made to put every rule that depends on earlier messages across a part boundary.
 * FuzzCorpusCClientIT and MboxCountIT compare the parallel scan with c-client too; MboxFuzzTest compares
 * the two on every fuzz input.
 */
class ParallelScanTest {
    private static final String FROM = "From alice@example.org Wed Dec  2 05:53:22 1992\n";

    @TempDir
    Path dir;

    /** Everything the index knows, as text, package-private parts included. */
    static String describe(MboxIndex x) {
        StringBuilder b = new StringBuilder();
        b.append("count ").append(x.count()).append(" validity ").append(x.uidValidity()).append(" last ").append(x.uidLast())
                .append(" keywords ").append(x.keywordNames()).append(" pseudo ").append(x.hasPseudoMessage())
                .append(' ').append(x.pseudoStart).append('-').append(x.pseudoEnd).append(" rewrite ").append(x.needsCheckpoint())
                .append(" size ").append(x.fileSize()).append("\nwarnings ").append(x.warnings()).append('\n');
        for (int i = 1; i <= x.count(); i++) {
            b.append(i).append(": ").append(x.start(i)).append(' ').append(x.fromLength(i)).append(' ').append(x.headerLength(i))
                    .append(' ').append(x.keptHeaderLength(i)).append(' ').append(x.textLength(i)).append(' ').append(x.size(i))
                    .append(" f").append(x.flags(i)).append(x.recent(i) ? " recent" : "").append(x.dirty(i) ? " dirty" : "")
                    .append(" k").append(x.keywordBits(i)).append(" uid ").append(x.uid(i)).append(' ').append(x.internalDate(i))
                    .append('\n');
        }
        return b.toString();
    }

    private Path write(String text) throws Exception {
        Path f = dir.resolve("mbox");
        Files.writeString(f, text, StandardCharsets.ISO_8859_1);
        return f;
    }

    /** The two parses of {@code f} with parts of each size given: identical, UIDVALIDITY made up by the parse aside. */
    private static void assertSameParse(Path f, long... partSizes) throws Exception {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            MboxIndex whole = new MboxIndex(Framing.UNIX);
            new MboxParser(whole, f).parse(ch, ch.size());
            for (long part : partSizes) {
                MboxIndex parts = MboxIndex.scanInParts(ch, f, part, 3);
                // a mailbox without a stored UIDVALIDITY gets the time of the parse: the two may be a second apart
                if (Math.abs(parts.uidValidity() - whole.uidValidity()) <= 2 && whole.uidValidity() > 1_700_000_000L) {
                    parts.uidValidity = whole.uidValidity();
                }
                assertEquals(describe(whole), describe(parts), "parts of " + part + " bytes");
            }
        }
    }

    @Test
    void uidsWarningsAndKeywordsComeOutAsFromOneParseWhereverThePartsBegin() throws Exception {
        StringBuilder m = new StringBuilder();
        m.append(FROM).append("X-IMAPbase: 1234567890 0000000020 work play\nSubject: one\nX-UID: 3\nX-Keywords: play\n\nbody\n\n");
        for (int i = 2; i <= 40; i++) {
            m.append(i % 5 == 0 ? FROM.replace("\n", "\r\n") : FROM).append("Subject: m").append(i).append('\n');
            switch (i % 9) {
                case 0 -> m.append("X-UID: ").append(i * 2).append('\n'); // increasing
                case 1 -> m.append("X-UID: 2\n"); // below the one before: c-client drops UIDVALIDITY from here on
                case 2 -> m.append("x-uid: 7\n\tcontinued\n"); // bogus, with a bogus continuation
                case 3 -> m.append("Status: RO\nX-Status: AF\nX-Keywords: work Unknown\n");
                case 4 -> m.append(FROM); // a From_ line in a header is a header line
                case 5 -> m.append("X-UID: 90\nX-UID: 91\n"); // twice
                default -> { }
            }
            m.append("\nFrom the text, not a From_ line\n");
            if (i % 4 == 0) {
                m.append("\n").append("From bob Thu Jan  1 00:00:00 1970\n"); // a From_ line in the text starts a message
                m.append("Subject: inner\n\nx\n");
            }
            m.append(i % 3 == 0 ? "\n" : "");
        }
        Path f = write(m.toString());
        assertSameParse(f, 1, 2, 7, 31, 64, 200, 1000, 4000);
    }

    @Test
    void aPseudoMessageAndMailboxesWithoutUidsAsFromOneParse() throws Exception {
        String pseudo = "From MAILER-DAEMON Wed Dec  2 05:53:22 1992\nX-IMAP: 1234567890 0000000007 work\nStatus: RO\n\ninternal\n\n";
        StringBuilder m = new StringBuilder(pseudo);
        StringBuilder plain = new StringBuilder("\n \n");
        for (int i = 0; i < 30; i++) {
            String one = FROM + "Subject: " + i + "\n" + (i % 2 == 0 ? "X-UID: " + (10 + i) + "\n" : "") + "\nline\n\n";
            m.append(one);
            plain.append(one);
        }
        assertSameParse(write(m.toString()), 1, 5, 50, 300);
        assertSameParse(write(plain.toString()), 1, 5, 50, 300);
    }

    @Test
    void randomMailboxesAsFromOneParse() throws Exception {
        Random r = new Random(20261204);
        String[] lines = {"\n", "\r\n", "From x\n", FROM, FROM.replace("\n", "\r\n"), "Subject: s\n", "X-UID: 5\n", "X-UID: 50\n",
                "Status: O\n", "X-Keywords: a b\n", " cont\n", "X-IMAPbase: 99 3 a b\n", "x-status: F\n", "body\n", "\r\r\n",
                "From bob Thu Jan  1 00:00:00 1970 +0000\n", "no newline"};
        for (int round = 0; round < 300; round++) {
            StringBuilder b = new StringBuilder(FROM);
            int n = r.nextInt(60);
            for (int i = 0; i < n; i++) {
                b.append(lines[r.nextInt(lines.length - (i == n - 1 ? 0 : 1))]);
            }
            assertSameParse(write(b.toString()), 1, 1 + r.nextInt(20), 1 + r.nextInt(200));
        }
    }

    @Test
    void smallFilesFilesThatAreNoMboxAndOneProcessorAreParsedInOnePiece() throws Exception {
        Path f = write(FROM + "Subject: a\n\nx\n\n" + FROM + "Subject: b\n\ny\n");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            assertNull(ParallelScan.scan(ch, f, ch.size(), 8, 0), "a small file with the default part sizes");
            assertNull(ParallelScan.scan(ch, f, ch.size(), 1, 4), "one thread");
        }
        Path junk = write("junk\n\n" + FROM + "Subject: b\n\ny\n");
        try (FileChannel ch = FileChannel.open(junk, StandardOpenOption.READ)) {
            assertNull(ParallelScan.scan(ch, junk, ch.size(), 4, 4), "not an mbox: the one-piece parse refuses it, naming the offset");
        }
        Path one = write(FROM + "Subject: a\n\n" + "x\n".repeat(100));
        try (FileChannel ch = FileChannel.open(one, StandardOpenOption.READ)) {
            assertNull(ParallelScan.scan(ch, one, ch.size(), 4, 16), "one message: no boundary to split at");
        }
        // a real split is not null (else the comparisons above would compare the one-piece parse with itself)
        Path two = write(FROM + "Subject: a\n\nx\n\n" + FROM + "Subject: b\n\ny\n");
        try (FileChannel ch = FileChannel.open(two, StandardOpenOption.READ)) {
            MboxIndex x = ParallelScan.scan(ch, two, ch.size(), 4, 8);
            assertTrue(x != null && x.count() == 2, String.valueOf(x));
        }
    }
}
