package org.spoollock.fuzz;

import org.spoollock.store.mbox.MboxIndex;

/** What the mbox and mmdf fuzz tests measure the same way. */
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
}
