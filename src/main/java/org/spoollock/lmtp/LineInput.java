package org.spoollock.lmtp;

import java.io.IOException;
import java.io.InputStream;

/**
 * Lines from a connection, ending in CRLF (or a bare LF, accepted as MTAs do), read through one fixed
 * buffer: {@link #read} returns the length of the next line or piece of a line, without its line end,
 * valid in {@link #buffer()} from {@link #start()} until the next call. A line longer than the
 * caller's limit comes in pieces ({@link #partial()} true for all but the last), so no line, however
 * long, is held whole. {@link #hasBuffered} tells whether the client already sent more (pipelining:
 * replies are flushed only when it has not).
 */
final class LineInput {
    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int limit;
    private int lineStart;
    private boolean partial;

    LineInput(InputStream in) {
        this.in = in;
        this.buf = new byte[1 << 16];
    }

    byte[] buffer() {
        return buf;
    }

    int start() {
        return lineStart;
    }

    /** Whether the last piece read was not the end of its line. */
    boolean partial() {
        return partial;
    }

    boolean hasBuffered() {
        return pos < limit;
    }

    /**
     * The next line, or piece of at most {@code max} bytes of a longer one; -1 at the end of the
     * stream (a last line without its line end is dropped: the client went away mid-line).
     */
    int read(int max) throws IOException {
        int piece = Math.min(max, buf.length - 2);
        int scan = pos;
        while (true) {
            for (int i = scan; i < limit; i++) {
                if (buf[i] == '\n') {
                    int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                    if (end - pos > piece) {
                        break; // longer than the caller takes at once: a piece
                    }
                    lineStart = pos;
                    pos = i + 1;
                    partial = false;
                    return end - lineStart;
                }
            }
            scan = limit;
            if (limit - pos > piece) {
                // no line end within the piece: hand it out, keeping a CR that may begin the CRLF
                int n = buf[pos + piece - 1] == '\r' ? piece - 1 : piece;
                lineStart = pos;
                pos += n;
                partial = true;
                return n;
            }
            if (pos > 0 && limit == buf.length) {
                System.arraycopy(buf, pos, buf, 0, limit - pos);
                limit -= pos;
                scan -= pos;
                pos = 0;
            }
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                return -1;
            }
            limit += n;
        }
    }
}
