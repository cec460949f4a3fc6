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
        return locate(buf, start, limit, true) != NONE;
    }

    /**
     * c-client's mmdf driver's VALID, an older copy of the rule without its CR step: a CR before the
     * newline is read as the line's last character, so a From_ line that ends in CRLF is (nearly always)
     * not VALID there.
     */
    static boolean isValidMmdf(byte[] buf, int start, int limit) {
        return locate(buf, start, limit, false) != NONE;
    }

    private static final long NONE = -1;

    /**
     * c-client's VALID test; when the line is valid, where its date lies: the index of the space before
     * the hour (low 32 bits) and of the zone's first character, or 0 if there is none (high 32 bits).
     */
    private static long locate(byte[] buf, int start, int limit, boolean skipCr) {
        if (limit - start < 5 || buf[start] != 'F' || buf[start + 1] != 'r' || buf[start + 2] != 'o'
                || buf[start + 3] != 'm' || buf[start + 4] != ' ') {
            return NONE;
        }
        int x = start + 5;
        while (x < limit && buf[x] != '\n' && buf[x] != 0) {
            x++;
        }
        if (x >= limit || buf[x] != '\n') {
            return NONE;
        }
        if (skipCr && at(buf, x - 1) == '\r') {
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
            return NONE;
        }
        int ti = 0;
        int zone = 0;
        if (at(buf, x - 5) == ' ') {                    // ... yyyy
            if (at(buf, x - 8) == ':') {
                ti = -5;                                 // hh:mm[:ss] yyyy
            } else if (at(buf, x - 9) == ' ') {
                ti = -9;                                 // hh:mm ZZZ yyyy
                zone = x - 8;
            } else if (at(buf, x - 11) == ' ' && isSign(at(buf, x - 10))) {
                ti = -11;                                // hh:mm +hhmm yyyy
                zone = x - 10;
            }
        } else if (at(buf, x - 4) == ' ') {             // ... yyyy ZZZ
            if (at(buf, x - 9) == ' ') {
                ti = -9;
                zone = x - 3;
            }
        } else if (at(buf, x - 6) == ' ') {             // ... yyyy +hhmm
            if (at(buf, x - 11) == ' ' && isSign(at(buf, x - 5))) {
                ti = -11;
                zone = x - 5;
            }
        }
        if (ti == 0) {
            return NONE;
        }
        // Before ti: "www mmm dd hh:mm" or "www mmm dd hh:mm:ss".
        if (at(buf, x + ti - 3) != ':') {
            return NONE;
        }
        ti -= at(buf, x + ti - 6) == ':' ? 9 : 6;
        boolean ok = at(buf, x + ti) == ' ' && at(buf, x + ti - 3) == ' ' && at(buf, x + ti - 7) == ' '
                && at(buf, x + ti - 11) == ' ';
        return ok ? ((long) zone << 32) | (x + ti) : NONE;
    }

    /**
     * The internal date of a VALID From_ line, as c-client reads it: day, month, time and year from the
     * line, the zone when the line has one (numeric, or a common name), else this machine's zone, as
     * c-client's "LCL". Null when the line is not VALID or the date is impossible.
     */
    public static java.time.ZonedDateTime internalDate(byte[] buf, int start, int limit) {
        return internalDate(buf, start, limit, true);
    }

    /** {@link #internalDate} of a line VALID by {@link #isValidMmdf}. */
    static java.time.ZonedDateTime internalDateMmdf(byte[] buf, int start, int limit) {
        return internalDate(buf, start, limit, false);
    }

    private static java.time.ZonedDateTime internalDate(byte[] buf, int start, int limit, boolean skipCr) {
        long where = locate(buf, start, limit, skipCr);
        if (where == NONE) {
            return null;
        }
        int t = (int) where;
        int zone = (int) (where >>> 32);
        try {
            int day = digit(at(buf, t - 2), true) * 10 + digit(at(buf, t - 1), false);
            String mon = new String(new char[] {(char) at(buf, t - 6), (char) at(buf, t - 5), (char) at(buf, t - 4)});
            int month = MONTHS.indexOf(mon.toLowerCase(java.util.Locale.ROOT));
            int hh = digit(at(buf, t + 1), false) * 10 + digit(at(buf, t + 2), false);
            int mm = digit(at(buf, t + 4), false) * 10 + digit(at(buf, t + 5), false);
            int p = t + 6;
            int ss = 0;
            if (at(buf, p) == ':') {
                ss = digit(at(buf, p + 1), false) * 10 + digit(at(buf, p + 2), false);
                p += 3;
            }
            if (zone == p + 1) {
                p += isSign(at(buf, zone)) ? 6 : 4;
            }
            int year = 0;
            for (int i = 1; i <= 4; i++) {
                year = year * 10 + digit(at(buf, p + i), false);
            }
            if (month < 0 || month % 3 != 0) {
                return null;
            }
            java.time.ZoneId zoneId = zone == 0 ? java.time.ZoneId.systemDefault() : zoneOf(buf, zone);
            return java.time.ZonedDateTime.of(year, month / 3 + 1, day, hh, mm, ss, 0, zoneId);
        } catch (RuntimeException e) { // a digit that is not one, day 31 of February...
            return null;
        }
    }

    private static final String MONTHS = "janfebmaraprmayjunjulaugsepoctnovdec";

    private static int digit(int c, boolean spaceIsZero) {
        if (spaceIsZero && c == ' ') {
            return 0;
        }
        if (c < '0' || c > '9') {
            throw new NumberFormatException("not a digit: " + c);
        }
        return c - '0';
    }

    private static java.time.ZoneId zoneOf(byte[] buf, int z) {
        int c = at(buf, z);
        if (isSign(c)) {
            int minutes = (digit(at(buf, z + 1), false) * 10 + digit(at(buf, z + 2), false)) * 60
                    + digit(at(buf, z + 3), false) * 10 + digit(at(buf, z + 4), false);
            return java.time.ZoneOffset.ofTotalSeconds((c == '-' ? -minutes : minutes) * 60);
        }
        String name = new String(new char[] {(char) c, (char) at(buf, z + 1), (char) at(buf, z + 2)});
        switch (name.toUpperCase(java.util.Locale.ROOT)) {
            case "GMT": case "UT ": case "UTC": return java.time.ZoneOffset.UTC;
            case "EST": return java.time.ZoneOffset.ofHours(-5);
            case "EDT": return java.time.ZoneOffset.ofHours(-4);
            case "CST": return java.time.ZoneOffset.ofHours(-6);
            case "CDT": return java.time.ZoneOffset.ofHours(-5);
            case "MST": return java.time.ZoneOffset.ofHours(-7);
            case "MDT": return java.time.ZoneOffset.ofHours(-6);
            case "PST": return java.time.ZoneOffset.ofHours(-8);
            case "PDT": return java.time.ZoneOffset.ofHours(-7);
            default: return java.time.ZoneId.systemDefault();
        }
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
