package org.spoollock.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.spoollock.store.Flags;
import org.spoollock.store.mbox.Framing;
import org.spoollock.store.mbox.MboxCheck;
import org.spoollock.store.mbox.MboxIndex;
import org.spoollock.store.mbox.MboxMailbox;

/**
 * Arbitrary bytes after an mmdf delimiter, through the mmdf parse (MboxParser's mmdf rules), a read-only
 * open with its incremental refresh, message reads and {@code check}. Only NotAnMboxException may escape
 * (for the inputs that do not start like mmdf); beyond that, the index's promises for mmdf:
 * <ul>
 * <li>each message starts at a ^A^A^A^A line, and the next one either at the trailer that ends it (which
 *     c-client reads as the next message's delimiter too) or just after it; the last one ends at the end
 *     of the file or at its trailer, which ends the file;
 * <li>the RFC822 size is the CRLF length of the content handed out (less the blank line a header cut off by
 *     a delimiter or the end of the file is handed out with), except where a line runs into a delimiter,
 *     which c-client counts with its last byte made a newline (and which check reports);
 * <li>new mail read incrementally gives what parsing the whole file gives; a read-only open writes nothing.
 * </ul>
 * c-client is the oracle for the committed corpus in MmdfInteropIT's odd files; this test holds the
 * parser to its own promises on everything the fuzzer makes.
 */
class MmdfFuzzTest {
    private static final byte[] A = {1, 1, 1, 1, '\n'};
    private static final MboxMailbox.Options MMDF = MboxMailbox.Options.defaults().withFraming(Framing.MMDF);

    @FuzzTest(maxDuration = "10m")
    void mmdf(byte[] input) throws IOException {
        // most inputs start as mmdf, so the fuzzer's bytes reach the message parse; a leading 0xFF keeps them raw
        byte[] data = input.length > 0 && input[0] == (byte) 0xff ? Arrays.copyOfRange(input, 1, input.length)
                : concat(A, input);
        Path file = Scratch.write("fuzz.mmdf", data);
        MboxIndex index;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            index = MboxIndex.scan(ch, file, Framing.MMDF);
        } catch (MboxIndex.NotAnMboxException e) {
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(check(file).messages == 0);
            return;
        }
        int n = index.count();
        assertEquals(data.length, index.fileSize());
        MboxCheck c = check(file);
        // A line that runs into a delimiter is two lines to c-client, the first with its last byte made a
        // newline, so that "^A^A^A^Ax^A^A^A^A" reads as two delimiters with the x between no message: such
        // files (which check reports) may leave bytes outside every message.
        boolean runsInto = c.problems.stream().anyMatch(p -> p.contains("run into the ^A^A^A^A line"));
        for (int i = 1; i <= n; i++) {
            int s = (int) index.start(i);
            assertTrue(s + 5 <= data.length && Arrays.equals(Arrays.copyOfRange(data, s, s + 5), A),
                    "message " + i + " starts at " + s + ", not at a delimiter");
            long end = index.end(i);
            long next = i < n ? index.start(i + 1) : data.length;
            boolean trailer = end + 5 <= data.length && Arrays.equals(Arrays.copyOfRange(data, (int) end, (int) end + 5), A);
            assertTrue(next == end && (i == n || trailer) || next == end + 5 && trailer || runsInto && next > end,
                    "message " + i + " ends at " + end + ", the next starts at " + next);
            assertTrue((index.flags(i) & ~Flags.ALL) == 0);
            assertTrue(index.keywordNames().containsAll(index.keywords(i)));
        }
        try (MboxMailbox m = MboxMailbox.openReadOnly(file, MMDF)) {
            assertEquals(n, m.index().count());
            if (n > 0) {
                m.visit(1, n, (msgno, sender, content) -> {
                    if (!runsInto) {
                        long crlf = MailFileChecks.crlfLength(content);
                        // a continuation line opening a header that follows one a delimiter ended is dropped from the
                        // size by c-client's parse (its "retain" carried over) but not from the header it hands out,
                        // whose filter starts afresh: c-client's own two figures differ there (a warning names it)
                        boolean carried = index.warnings().stream().anyMatch(w -> w.startsWith(
                                "Discarding bogus continuation in msg " + msgno + ":"));
                        if (carried) {
                            return;
                        }
                        if (MailFileChecks.headerEndsWithBlankLine(data, index, msgno)) {
                            assertEquals(crlf, index.size(msgno), "message " + msgno + ": size, content in CRLF");
                        } else { // handed out with the blank line its header lacks, which the size does not count
                            assertTrue(index.size(msgno) <= crlf, "message " + msgno + ": size " + index.size(msgno)
                                    + " over the content's " + crlf + " in CRLF");
                        }
                    }
                });
            }
        }
        assertArrayEquals(data, Files.readAllBytes(file), "a read-only open changed the mailbox");
        // a line running into a delimiter is counted with its last byte made a newline (c-client's rule); cut
        // just before that delimiter, the prefix ends with the line as it is: the two parses may differ there
        if (n >= 2 && !runsInto) {
            incremental(data, index);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static MboxCheck check(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return MboxCheck.run(ch, file, Framing.MMDF);
        }
    }



    /** The file up to message k opened, the rest appended, new mail read: the same as the whole parse. */
    private static void incremental(byte[] data, MboxIndex full) throws IOException {
        int n = full.count();
        int k = 2 + Math.floorMod(Arrays.hashCode(data), n - 1);
        int cut = (int) full.start(k);
        Path file = Scratch.write("fuzz-incremental.mmdf", Arrays.copyOf(data, cut));
        try (MboxMailbox m = MboxMailbox.openReadOnly(file, MMDF)) {
            Files.write(file, Arrays.copyOfRange(data, cut, data.length), StandardOpenOption.APPEND);
            m.refresh();
            MboxIndex inc = m.index();
            assertEquals(n, inc.count(), "incremental parse (cut before message " + k + "): count");
            for (int i = 1; i <= n; i++) {
                String what = "incremental parse (cut before message " + k + "), message " + i + ": ";
                assertEquals(full.start(i), inc.start(i), what + "start");
                assertEquals(full.end(i), inc.end(i), what + "end");
                // c-client's "retain" (whether a continuation line is kept) starts true at each parse and, in mmdf,
                // can leave a header that a delimiter ended as false: a message opening with a continuation line
                // loses it in one parse and keeps it in the other (a warning says which), as in c-client
                if (full.warnings().stream().noneMatch(w -> w.contains("bogus continuation"))) {
                    assertEquals(full.size(i), inc.size(i), what + "size");
                }
                assertEquals(full.flags(i), inc.flags(i), what + "flags");
                // not UIDs: a mailbox without UIDVALIDITY gets one at its first parse, and c-client believes X-UID
                // headers in mail read after that, which the whole parse ignores (so does MboxFuzzTest)
                if (full.fromLength(i) > 5) { // without a From_ line the date is the file's mtime, another file's here
                    assertEquals(full.internalDate(i), inc.internalDate(i), what + "date");
                }
            }
        }
    }
}
