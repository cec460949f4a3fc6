package org.spoollock.store.mbox;

/**
 * A line as bytes {@code buf[start..end)} including its newline (absent only at end of file). A line
 * longer than the reader keeps whole holds its head and tail only; {@link #length} and {@link #crs}
 * are always the true figures.
 */
final class Line {
    byte[] buf;
    int start;
    int end;
    /** True length in the file, newline included. */
    long length;
    /** Carriage returns in the line (c-client drops them when it counts sizes). */
    long crs;

    boolean isEmpty() {
        return (length == 1 && buf[start] == '\n') || (length == 2 && buf[start] == '\r' && buf[start + 1] == '\n');
    }

    boolean endsWithNewline() {
        return end > start && buf[end - 1] == '\n';
    }

    int at(int i) {
        return start + i < end ? buf[start + i] & 0xff : -1;
    }

    boolean startsWith(String s) {
        if (end - start < s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (buf[start + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
