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
}
