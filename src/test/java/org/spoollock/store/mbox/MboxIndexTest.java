package org.spoollock.store.mbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index in-process; MboxCountIT compares its counts with c-client's on real files. */
class MboxIndexTest {
    private static final String FROM = "From alice@example.org Wed Dec  2 05:53:22 1992\n";

    @TempDir
    Path dir;

    private MboxIndex scan(String text) throws Exception {
        Path f = dir.resolve("mbox");
        Files.writeString(f, text, StandardCharsets.ISO_8859_1);
        return MboxIndex.scan(f);
    }

    @Test
    void offsetsPointAtTheFromLinesAndThePseudoMessageIsHidden() throws Exception {
        String pseudo = "From MAILER-DAEMON Wed Dec  2 05:53:22 1992\nX-IMAP: 1234567890 0000000007 work\n\ninternal\n\n";
        String a = FROM + "Subject: a\n\nx\n\n";
        MboxIndex i = scan(pseudo + a + FROM + "Subject: b\n\ny\n");
        assertTrue(i.hasPseudoMessage());
        assertEquals(2, i.count());
        assertEquals(1234567890L, i.uidValidity());
        // no X-UID headers: the two messages get the next UIDs after the stored last, as c-client assigns them
        assertEquals(8, i.uid(1));
        assertEquals(9, i.uid(2));
        assertEquals(9, i.uidLast());
        assertEquals(java.util.List.of("work"), i.keywordNames());
        assertEquals(pseudo.length(), i.start(1));
        assertEquals(pseudo.length() + a.length(), i.start(2));
        assertThrows(IndexOutOfBoundsException.class, () -> i.start(3));
    }

    @Test
    void emptyAndBlankFilesHaveNoMessagesAndJunkIsRefusedWithItsOffset() throws Exception {
        assertEquals(0, scan("").count());
        assertEquals(0, scan("\n\n  \n").count());
        MboxIndex.NotAnMboxException e = assertThrows(MboxIndex.NotAnMboxException.class, () -> scan("\n\nhello\n"));
        assertTrue(e.getMessage().contains("offset 2") && e.getMessage().contains("hello"), e.getMessage());
    }

    @Test
    void linesLongerThanTheBufferAreJudgedByTheirEnds() throws Exception {
        String junk = "x".repeat(3 << 20); // a 3 MiB body line
        String longFrom = "From " + "y".repeat(2 << 20) + " Wed Dec  2 05:53:22 1992\n"; // a VALID 2 MiB From_ line
        MboxIndex i = scan(FROM + "Subject: a\n\n" + junk + "\n" + longFrom + "Subject: b\n\nz\n");
        assertEquals(2, i.count());
        assertEquals(FROM.length() + "Subject: a\n\n".length() + junk.length() + 1, i.start(2));
        assertFalse(scan(FROM + "Subject: a\n\n" + junk + "\n").hasPseudoMessage());
    }

    /**
     * c-client's unix driver skips blank lines before the first From_ line, but does not take a file whose
     * From_ line is indented as a mailbox (measured with cclient-mbox: its "phile" driver takes those). A
     * literal table of what c-client did with each prefix (spooltest/c/cclient-mbox list, driver column).
     */
    @Test
    void blankLinesMayPrecedeTheFirstFromLineButNotBlanksOnIt() throws Exception {
        String from = "From alice@example.org Wed Dec  2 05:53:22 1992\nSubject: s\n\nbody\n";
        String[] unix = {"", "\n", "\n\n", "\r\n", " \n"};
        String[] phile = {" ", "\t", "\n ", "\n\t", "\n\r\n \t"};
        Path f = dir.resolve("prefixed");
        for (String p : unix) {
            Files.writeString(f, p + from, StandardCharsets.ISO_8859_1);
            assertEquals(1, MboxIndex.scan(f).count(), "prefix " + p.replace("\n", "\\n"));
        }
        for (String p : phile) {
            Files.writeString(f, p + from, StandardCharsets.ISO_8859_1);
            MboxIndex.NotAnMboxException e = assertThrows(MboxIndex.NotAnMboxException.class, () -> MboxIndex.scan(f),
                    "prefix " + p.replace("\n", "\\n").replace("\t", "\\t"));
            assertTrue(e.getMessage().contains("blank byte"), e.getMessage());
        }
    }
}
