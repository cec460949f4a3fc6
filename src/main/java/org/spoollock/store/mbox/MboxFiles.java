package org.spoollock.store.mbox;

import java.io.IOException;
import java.nio.channels.FileChannel;

import org.spoollock.posix.ChannelIo;

/** Small checks on mailbox files shared by the readers and writers. */
final class MboxFiles {
    private MboxFiles() {
    }

    /**
     * Refuses to write into a file that is not empty and does not start (after blank bytes) with a
     * VALID From_ line, as c-client's append refuses "Not a UNIX-format mailbox".
     */
    static void requireMbox(FileChannel ch, long size, String name) throws IOException {
        requireFormat(ch, size, name, Framing.UNIX);
    }

    /**
     * As {@link #requireMbox} for a file of {@code framing}: mmdf must start with the ^A line (c-client's
     * mmdf append refuses "Invalid MMDF-format mailbox name" otherwise).
     */
    static void requireFormat(FileChannel ch, long size, String name, Framing framing) throws IOException {
        if (size == 0) {
            return;
        }
        int n = (int) Math.min(size, 8192);
        byte[] head = ChannelIo.read(ch, 0, n, name);
        if (framing == Framing.MMDF) {
            if (!Framing.isDelimiter(head, 0, n)) {
                throw new MboxIndex.NotAnMboxException(name + ": not an mmdf mailbox (it does not start with the"
                        + " ^A^A^A^A line); refusing to write into it");
            }
            return;
        }
        int p = 0;
        while (p < n && (head[p] == '\n' || head[p] == '\r' || head[p] == ' ' || head[p] == '\t')) {
            p++;
        }
        if (p == n && size == n) {
            return; // only blank bytes: c-client treats it as empty
        }
        if (!FromLine.isValid(head, p, n)) {
            int e = p;
            while (e < n && e - p < 60 && head[e] != '\n') {
                e++;
            }
            throw new MboxIndex.NotAnMboxException(name + ": not an mbox (offset " + p + " is not a From_ line: \""
                    + new String(head, p, e - p, java.nio.charset.StandardCharsets.ISO_8859_1).replace("\r", "")
                    + "\"); refusing to write into it");
        }
    }
}
