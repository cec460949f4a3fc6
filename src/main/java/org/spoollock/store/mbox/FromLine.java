package org.spoollock.store.mbox;

/**
 * c-client's test for an mbox message boundary (its VALID rule, unix.h): a line is a "From_" line
 * only if it starts {@code "From "} and ends with a date c-client recognises, read backwards from
 * the end because the sender part may contain spaces:
 *
 * <pre>
 *   From user Wed Dec  2 05:53 1992            From user Wed Dec  2 05:53:22 1992
 *   From user Wed Dec  2 05:53 PST 1992        From user Wed Dec  2 05:53:22 -0700 1992
 *   From user Wed Dec  2 05:53:22 1992 PST     From user Wed Dec  2 05:53:22 1992 -0700
 * </pre>
 *
 * each optionally followed by {@code " remote from host"}. Every other line, including most lines
 * starting "From " in message bodies, is text. Content-Length headers are ignored, as c-client
 * ignores them. Bytes before the line are consulted where c-client's rule looks before it (short
 * lines), as c-client's pointer arithmetic does; they read as 0 at the start of the buffer.
 */
public final class FromLine {
    private FromLine() {
    }

    /**
     * Whether {@code buf[start..]} begins with a VALID From_ line. {@code limit} bounds the search for
     * the line's end (exclusive); a line with no newline before {@code limit}, or with a NUL before its
     * newline, is not valid (c-client needs the newline and stops at NUL).
     */
    public static boolean isValid(byte[] buf, int start, int limit) {
        if (limit - start < 5 || buf[start] != 'F' || buf[start + 1] != 'r' || buf[start + 2] != 'o'
                || buf[start + 3] != 'm' || buf[start + 4] != ' ') {
            return false;
        }
        int x = start + 5;
        while (x < limit && buf[x] != '\n' && buf[x] != 0) {
            x++;
        }
        if (x >= limit || buf[x] != '\n') {
            return false;
        }
        if (at(buf, x - 1) == '\r') {
            x--;
        }
        if (x - start >= 41) {
            // " remote from host" at the end: the date ends where it starts.
            int zn = -1;
            while (at(buf, x + zn) != ' ') {
                zn--;
            }
            if (endsWith(buf, x + zn, " remote from")) {
                x += zn - 12; // exactly one space before "remote from": Debian's 2007f does not skip more
            }
        }
        if (x - start < 27) {
            return false;
        }
        int ti = 0;
        if (at(buf, x - 5) == ' ') {                    // ... yyyy
            if (at(buf, x - 8) == ':') {
                ti = -5;                                 // hh:mm[:ss] yyyy
            } else if (at(buf, x - 9) == ' ') {
                ti = -9;                                 // hh:mm ZZZ yyyy
            } else if (at(buf, x - 11) == ' ' && isSign(at(buf, x - 10))) {
                ti = -11;                                // hh:mm +hhmm yyyy
            }
        } else if (at(buf, x - 4) == ' ') {             // ... yyyy ZZZ
            if (at(buf, x - 9) == ' ') {
                ti = -9;
            }
        } else if (at(buf, x - 6) == ' ') {             // ... yyyy +hhmm
            if (at(buf, x - 11) == ' ' && isSign(at(buf, x - 5))) {
                ti = -11;
            }
        }
        if (ti == 0) {
            return false;
        }
        // Before ti: "www mmm dd hh:mm" or "www mmm dd hh:mm:ss".
        if (at(buf, x + ti - 3) != ':') {
            return false;
        }
        ti -= at(buf, x + ti - 6) == ':' ? 9 : 6;
        return at(buf, x + ti) == ' ' && at(buf, x + ti - 3) == ' ' && at(buf, x + ti - 7) == ' '
                && at(buf, x + ti - 11) == ' ';
    }

    /** Convenience for one line (with or without its newline). */
    public static boolean isValid(String line) {
        String l = line.endsWith("\n") ? line : line + "\n";
        byte[] b = l.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return isValid(b, 0, b.length);
    }

    private static int at(byte[] buf, int i) {
        return i >= 0 && i < buf.length ? buf[i] : 0;
    }

    private static boolean isSign(int c) {
        return c == '+' || c == '-';
    }

    /** Whether the bytes ending just before {@code end} are {@code s}. */
    private static boolean endsWith(byte[] buf, int end, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (at(buf, end - s.length() + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
