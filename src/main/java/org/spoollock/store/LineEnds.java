package org.spoollock.store;

import java.io.ByteArrayOutputStream;

/** Line ends for the formats that store CRLF text (mbx, mix, mtx), as c-client's DR_CRLF drivers get it from IMAP. */
public final class LineEnds {
    private LineEnds() {
    }

    /** {@code head} then {@code body[offset .. offset + length)} with CRLF line ends: a bare LF gets its CR. */
    public static byte[] crlf(byte[] head, byte[] body, int offset, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + length + length / 30 + 16);
        byte before = crlfInto(head, 0, head.length, out, (byte) 0);
        crlfInto(body, offset, length, out, before);
        return out.toByteArray();
    }

    private static byte crlfInto(byte[] in, int from, int length, ByteArrayOutputStream out, byte before) {
        int run = from;
        int end = from + length;
        for (int i = from; i < end; i++) {
            if (in[i] == '\n' && (i > from ? in[i - 1] : before) != '\r') {
                out.write(in, run, i - run);
                out.write('\r');
                run = i;
            }
        }
        out.write(in, run, end - run);
        return length > 0 ? in[end - 1] : before;
    }
}
