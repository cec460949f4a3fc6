package org.spoollock.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.spoollock.store.Drivers;
import org.spoollock.store.Flags;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.mbox.FromLine;
import org.spoollock.store.mbox.MboxCheck;
import org.spoollock.store.mbox.MboxIndex;
import org.spoollock.store.mbox.MboxMailbox;

/**
 * Arbitrary bytes as an mbox, through what {@code count}, {@code list}, {@code check} and message
 * reads use: {@link MboxIndex#scan}, {@link MboxMailbox#openReadOnly} (locks included), its
 * {@link MboxMailbox#refresh} after new mail, {@link MboxMailbox#visit} and {@link MboxCheck}.
 * The only exception a malformed mailbox may produce is {@link MboxIndex.NotAnMboxException}
 * (docs/errors.md); anything else escapes and is a finding. Beyond that, what the index promises:
 * <ul>
 * <li>messages tile the file: each starts with a From_ line c-client accepts, of the recorded length;
 *     only a separating newline (LF or CRLF) lies between one message's end and the next one's start
 *     or the end of the file; only blank bytes (or the pseudo-message) precede message 1;
 * <li>the RFC822 size of each message is that of the content the store hands out (status headers
 *     dropped by a separate filter, HeaderFilter), counted with CRLF line ends (at most that for a
 *     header cut off by the end of the file, which is handed out with the blank line it lacks);
 * <li>reading new mail incrementally (open a prefix, append the rest, refresh) gives the same
 *     messages, boundaries, sizes, flags, keywords and dates as parsing the whole file;
 * <li>a read-only open writes nothing; {@code check} does not throw.
 * </ul>
 * These are consistency checks of the parser against its own promises, not an oracle of what c-client
 * reads: the From_ line test in the tiling check is the parser's own (FromLine, checked against c-client
 * line by line in FromLineIT), and it catches a start offset that points elsewhere than at a From_ line.
 * c-client itself reads every committed corpus input in FuzzCorpusCClientIT, which compares its listing
 * (count, UIDs, flags, sizes, keywords) with ours.
 */
class MboxFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void mbox(byte[] data) throws IOException {
        Path file = Scratch.write("fuzz.mbox", data);
        Drivers.driverFor(MailboxRef.of(file)); // what the CLI does first; must not throw for any content

        MboxIndex index;
        try {
            index = MboxIndex.scan(file);
        } catch (MboxIndex.NotAnMboxException e) {
            assertTrue(e.getMessage().contains(file.toString()), "the error names the file: " + e.getMessage());
            MboxCheck c = check(file);
            assertFalse(c.problems.isEmpty(), "check finds no problem in a file the parser refuses");
            assertEquals(0, c.messages);
            return;
        }
        int n = index.count();
        assertEquals(data.length, index.fileSize());
        assertTiling(data, index);
        inParts(file, data, index);

        // `check` must not throw on any content; its count is the parser's own (MboxCheck.run asks MboxIndex),
        // so comparing the two would prove nothing: c-client is the oracle for counts and sizes of the
        // committed corpus (FuzzCorpusCClientIT)
        check(file);

        byte[][] contents = new byte[n + 1][];
        try (MboxMailbox m = MboxMailbox.openReadOnly(file, MboxMailbox.Options.defaults())) {
            assertEquals(n, m.index().count());
            if (n > 0) {
                m.visit(1, n, (msgno, sender, content) -> contents[msgno] = content);
            }
        }
        for (int i = 1; i <= n; i++) {
            if (MailFileChecks.headerEndsWithBlankLine(data, index, i)) {
                assertEquals(MailFileChecks.crlfLength(contents[i]), index.size(i),
                        "message " + i + ": RFC822 size differs from the CRLF length of the content handed out");
            } else {
                // a header cut off by the end of the file: the store hands it out with the blank line a
                // message needs, which c-client's size (and so ours: cclient-mbox list agrees) does not count
                assertTrue(index.size(i) <= MailFileChecks.crlfLength(contents[i]), "message " + i + ": RFC822 size " + index.size(i)
                        + " exceeds the CRLF length of the content handed out, " + MailFileChecks.crlfLength(contents[i]));
            }
            assertTrue((index.flags(i) & ~Flags.ALL) == 0);
            assertTrue(index.keywordNames().containsAll(index.keywords(i)));
        }
        assertArrayEquals(data, Files.readAllBytes(file), "a read-only open changed the mailbox");

        if (n >= 2) {
            incremental(data, index);
        }
    }

    /**
     * The parallel scan (parts from boundaries found after every few bytes, as the fuzzer's input decides)
     * gives the whole parse's index: every message's place, sizes, flags, keywords, UID and date, and the
     * mailbox's UID state, keyword list, warnings and need of a rewrite.
     */
    private static void inParts(Path file, byte[] data, MboxIndex whole) throws IOException {
        long part = 1 + Math.floorMod(Arrays.hashCode(data) * 31L, Math.max(1, data.length / 2));
        MboxIndex parts;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            parts = MboxIndex.scanInParts(ch, file, part, 3);
        }
        assertEquals(listing(whole), listing(parts), "parsed in parts of " + part + " bytes");
        // UIDVALIDITY: stored, or the time of each parse (a second or two apart at most)
        assertTrue(Math.abs(whole.uidValidity() - parts.uidValidity()) <= 2, whole.uidValidity() + " against " + parts.uidValidity());
    }

    private static String listing(MboxIndex x) {
        StringBuilder b = new StringBuilder();
        b.append(x.count()).append(" last ").append(x.uidLast()).append(' ').append(x.keywordNames()).append(' ').append(x.hasPseudoMessage())
                .append(' ').append(x.needsCheckpoint()).append(' ').append(x.fileSize()).append(' ').append(x.warnings()).append('\n');
        for (int i = 1; i <= x.count(); i++) {
            b.append(x.start(i)).append(' ').append(x.fromLength(i)).append(' ').append(x.headerLength(i)).append(' ')
                    .append(x.textLength(i)).append(' ').append(x.size(i)).append(' ').append(x.flags(i)).append(' ').append(x.recent(i))
                    .append(' ').append(x.keywordBits(i)).append(' ').append(x.uid(i)).append(' ').append(x.internalDate(i)).append('\n');
        }
        return b.toString();
    }

    private static MboxCheck check(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return MboxCheck.run(ch, file);
        }
    }

    /** Messages cover the file as the index's layout documents. */
    private static void assertTiling(byte[] data, MboxIndex index) {
        int n = index.count();
        if (n == 0) {
            return;
        }
        if (!index.hasPseudoMessage()) {
            for (int p = 0; p < index.start(1); p++) {
                byte b = data[p];
                assertTrue(b == '\n' || b == '\r' || b == ' ' || b == '\t', "non-blank byte " + b + " at " + p + " before message 1");
            }
        }
        for (int i = 1; i <= n; i++) {
            int s = (int) index.start(i);
            assertTrue(FromLine.isValid(data, s, data.length), "consistency: the index says message " + i + " starts at " + s
                    + ", where the parser's own From_ line test fails");
            int nl = s;
            while (data[nl] != '\n') {
                nl++;
            }
            assertEquals(nl + 1 - s, index.fromLength(i), "message " + i + ": From_ line length");
            assertTrue(index.headerLength(i) >= 0 && index.textLength(i) >= 0 && index.size(i) >= 0);
            long next = i < n ? index.start(i + 1) : data.length;
            long gap = next - index.end(i);
            String sep = new String(data, (int) index.end(i), (int) Math.max(0, Math.min(gap, 4)), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(gap == 0 || (gap == 1 && sep.equals("\n")) || (gap == 2 && sep.equals("\r\n")),
                    "message " + i + " ends at " + index.end(i) + " but the next starts at " + next + " (gap \"" + sep + "\")");
        }
    }



    /**
     * Opens the mailbox as it was before message k arrived, appends the rest (as a delivery does), reads
     * the new mail, and compares with the whole parse. k is derived from the input so that the fuzzer
     * controls it without spending input bytes.
     */
    private static void incremental(byte[] data, MboxIndex full) throws IOException {
        int n = full.count();
        int k = 2 + Math.floorMod(Arrays.hashCode(data), n - 1);
        int cut = (int) full.start(k);
        Path file = Scratch.write("fuzz-incremental.mbox", Arrays.copyOf(data, cut));
        try (MboxMailbox m = MboxMailbox.openReadOnly(file, MboxMailbox.Options.defaults())) {
            assertEquals(k - 1, m.index().count(), "prefix up to message " + k);
            Files.write(file, Arrays.copyOfRange(data, cut, data.length), StandardOpenOption.APPEND);
            m.refresh();
            MboxIndex inc = m.index();
            assertEquals(n, inc.count(), "incremental parse after message " + (k - 1) + ": message count");
            assertEquals(full.hasPseudoMessage(), inc.hasPseudoMessage());
            for (int i = 1; i <= n; i++) {
                String what = "incremental parse (cut before message " + k + "), message " + i + ": ";
                assertEquals(full.start(i), inc.start(i), what + "start");
                assertEquals(full.fromLength(i), inc.fromLength(i), what + "From_ length");
                assertEquals(full.headerLength(i), inc.headerLength(i), what + "header length");
                assertEquals(full.textLength(i), inc.textLength(i), what + "text length");
                assertEquals(full.size(i), inc.size(i), what + "size");
                assertEquals(full.flags(i), inc.flags(i), what + "flags");
                assertEquals(full.recent(i), inc.recent(i), what + "recent");
                assertEquals(full.keywords(i), inc.keywords(i), what + "keywords");
                assertEquals(full.internalDate(i), inc.internalDate(i), what + "internal date");
            }
        }
    }
}
