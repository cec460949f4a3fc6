package org.spoollock.store.tenex;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.Locale;

/**
 * One internal header line, {@code " 2-Dec-1992 05:53:22 -0700,1234;000000000003"}, as c-client
 * writes it (mail_date: day space-padded) and reads it (tenex_parse: date, then ',' size, then ';'
 * and exactly 12 octal digits).
 *
 * @param date       the internal date
 * @param size       bytes of message that follow the line
 * @param userBits   the 10 octal digits: keyword i of the configured list is bit 29 - i
 * @param systemBits the 2 octal digits: seen 01, deleted 02, flagged 04, answered 010, old 020, draft 040
 */
record TenexHeader(ZonedDateTime date, long size, int userBits, int systemBits) {
    static final int OLD = 020;

    /** Thrown for a line c-client would refuse ("Unable to parse internal header ..."). */
    static final class BadHeader extends Exception {
        private static final long serialVersionUID = 1L;

        BadHeader(String m) {
            super(m);
        }
    }

    /** Parses the line {@code buf[from..end)} without its line end. */
    static TenexHeader parse(byte[] buf, int from, int end) throws BadHeader {
        String line = new String(buf, from, end - from, StandardCharsets.ISO_8859_1);
        int comma = line.indexOf(',');
        int semi = comma < 0 ? -1 : line.indexOf(';', comma + 1);
        if (comma < 0 || semi < 0) {
            throw new BadHeader("no \"<date>,<size>;<flags>\" in \"" + shorten(line) + "\"");
        }
        ZonedDateTime date;
        try {
            date = org.spoollock.store.InternalDate.parse(line.substring(0, comma));
        } catch (RuntimeException e) {
            throw new BadHeader("bad internal date \"" + line.substring(0, comma) + "\"");
        }
        long size;
        try {
            size = Long.parseLong(line.substring(comma + 1, semi));
        } catch (NumberFormatException e) {
            throw new BadHeader("bad size \"" + line.substring(comma + 1, semi) + "\"");
        }
        String flags = line.substring(semi + 1);
        if (size <= 0 || flags.length() != 12 || !flags.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new BadHeader((size <= 0 ? "size " + size : "flags \"" + flags + "\" are not 12 digits")
                    + " in \"" + shorten(line) + "\"");
        }
        // c-client reads the digits with strtoul(..., 8) and ((d1-'0')*8 + d2-'0'): do the same
        int user = (int) Long.parseLong(octalPrefix(flags.substring(0, 10)), 8);
        int system = (flags.charAt(10) - '0') * 8 + (flags.charAt(11) - '0');
        return new TenexHeader(date, size, user, system);
    }

    /** strtoul(s, 8) stops at the first non-octal digit. */
    private static String octalPrefix(String digits) {
        int i = 0;
        while (i < digits.length() && digits.charAt(i) <= '7') {
            i++;
        }
        return i == 0 ? "0" : digits.substring(0, i);
    }

    private static String shorten(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** The line, line end included. */
    byte[] format(TenexFormat f) {
        String s = org.spoollock.store.InternalDate.format(date) + "," + size + ";" + flagDigits(userBits, systemBits);
        byte[] head = s.getBytes(StandardCharsets.ISO_8859_1);
        byte[] nl = f.newline();
        byte[] out = java.util.Arrays.copyOf(head, head.length + nl.length);
        System.arraycopy(nl, 0, out, head.length, nl.length);
        return out;
    }

    static String flagDigits(int userBits, int systemBits) {
        return String.format(Locale.ROOT, "%010o%02o", userBits & 0x3fffffff, systemBits & 077);
    }
}
