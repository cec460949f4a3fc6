package org.spoollock.store.mbox;

/**
 * How message lines that start like a From_ line are protected on write. c-client writes mboxo
 * (one {@code >} before every line starting {@code "From "}) and never unquotes on reading, so its
 * readers show {@code >From}; mboxrd also quotes lines that are already quoted ({@code >From},
 * {@code >>From}...) so that a reader that knows it can unquote exactly.
 */
public enum Quoting {
    /** c-client's and procmail's: {@code "From "} at a line start becomes {@code ">From "}. */
    MBOXO,
    /** {@code >*"From "} at a line start gets one more {@code >}; reversible. */
    MBOXRD;

    /** Whether the line {@code buf[start..end)} needs a {@code >} before it. */
    boolean needsQuote(byte[] buf, int start, int end) {
        int p = start;
        if (this == MBOXRD) {
            while (p < end && buf[p] == '>') {
                p++;
            }
        }
        return end - p >= 5 && buf[p] == 'F' && buf[p + 1] == 'r' && buf[p + 2] == 'o' && buf[p + 3] == 'm'
                && buf[p + 4] == ' ';
    }

    /** Copies text, removing one {@code >} from every line that is {@code >+"From "} (mboxrd's reading rule). */
    static void unquoteMboxrd(java.io.InputStream in, java.io.OutputStream out) throws java.io.IOException {
        boolean lineStart = true;
        byte[] look = new byte[4096];
        int c;
        while (true) {
            if (lineStart) {
                in.mark(look.length + 8);
                int n = 0;
                while (n < look.length && (c = in.read()) == '>') {
                    look[n++] = (byte) c;
                }
                in.reset();
                if (n > 0) {
                    in.mark(n + 8);
                    in.skipNBytes(n);
                    byte[] from = in.readNBytes(5);
                    in.reset();
                    if (new String(from, java.nio.charset.StandardCharsets.ISO_8859_1).equals("From ")) {
                        in.skipNBytes(1); // drop one '>'
                    }
                }
            }
            c = in.read();
            if (c < 0) {
                return;
            }
            out.write(c);
            lineStart = c == '\n';
        }
    }

    /**
     * Guesses how a mailbox was quoted, for readers that want to unquote: mboxrd if some body line
     * reads {@code >>From }, which an mboxo writer produces only from a message that already had one.
     * A guess, documented as such; c-client never unquotes, and neither do we unless asked.
     */
    static Quoting detect(java.nio.channels.FileChannel ch, long size) throws java.io.IOException {
        LineReader in = new LineReader(ch, 0, size);
        Line l;
        while ((l = in.next()) != null) {
            if (l.startsWith(">>")) {
                int p = l.start;
                while (p < l.end && l.buf[p] == '>') {
                    p++;
                }
                if (l.end - p >= 5 && l.buf[p] == 'F' && l.buf[p + 1] == 'r' && l.buf[p + 2] == 'o' && l.buf[p + 3] == 'm'
                        && l.buf[p + 4] == ' ') {
                    return MBOXRD;
                }
            }
        }
        return MBOXO;
    }
}
