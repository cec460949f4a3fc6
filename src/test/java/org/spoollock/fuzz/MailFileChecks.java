package org.spoollock.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.spoollock.store.Flags;
import org.spoollock.store.Mailbox;
import org.spoollock.store.mbox.MboxIndex;

/** What the fuzz tests of several formats check and measure the same way. */
final class MailFileChecks {
    private MailFileChecks() {
    }

    /** Whether message i's header (after its From_ line, or mmdf's delimiter and From_ line) ends with an empty line. */
    static boolean headerEndsWithBlankLine(byte[] data, MboxIndex index, int i) {
        int h = (int) (index.start(i) + index.fromLength(i));
        int e = h + index.headerLength(i);
        if (e - h >= 1 && data[e - 1] == '\n') {
            int p = e - 1;
            if (p > h && data[p - 1] == '\r') {
                p--;
            }
            return p == h || data[p - 1] == '\n';
        }
        return false;
    }

    /** c-client's RFC822 size of content: CRs dropped, every LF counted as CRLF. */
    static long crlfLength(byte[] b) {
        long n = 0;
        for (byte x : b) {
            n += x == '\n' ? 2 : x == '\r' ? 0 : 1;
        }
        return n;
    }

    /**
     * A mailbox as its reader hands it out, one line per message (UID, flags, keywords, internal date, a
     * hash of the content), after checking what every reader promises: UIDs ascend below UIDNEXT, only
     * system flag bits, keywords the mailbox declares, content of the size the index gives.
     */
    static List<String> view(Mailbox m) throws IOException {
        List<String> out = new ArrayList<>();
        long last = 0;
        for (int n = 1; n <= m.index().count(); n++) {
            long uid = m.index().uid(n);
            assertTrue(uid > last, "UIDs ascend: " + last + " then " + uid);
            last = uid;
            assertTrue(uid < m.status().uidNext(), "UID " + uid + " below UIDNEXT " + m.status().uidNext());
            assertTrue((m.index().flags(n) & ~Flags.ALL) == 0);
            assertTrue(m.status().keywords().containsAll(m.index().keywords(n)));
            byte[] c = m.content(n);
            assertEquals(m.size(n), c.length, "message " + n + ": content is its size");
            out.add(uid + " " + m.index().flags(n) + " " + m.index().keywords(n) + " " + m.index().internalDate(n) + " "
                    + Arrays.hashCode(c));
        }
        return out;
    }
}
