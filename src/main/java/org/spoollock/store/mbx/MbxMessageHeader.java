package org.spoollock.store.mbx;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.Locale;

/**
 * The line before each message of an mbx file, {@code " 2-Nov-2026 05:03:22 +0000,1234;00000003000d-0000002a"}
 * and CRLF: the internal date (mail_date: day space-padded), the message's size in bytes (CRLF text), the
 * keywords as 8 hex digits (bit i is keyword i of the file header), the system flags as 4 hex digits, and
 * the UID as 8 hex digits (0: none given yet). Read as mbx_parse reads it.
 */
record MbxMessageHeader(ZonedDateTime date, long size, long userFlags, int systemFlags, long uid) {
    /** c-client's fSEEN .. fDRAFT and the two bits of its own. */
    static final int SEEN = 1, DELETED = 2, FLAGGED = 4, ANSWERED = 8, OLD = 16, DRAFT = 32, EXPUNGED = 0x8000;
    /** From the end of the line (CRLF included) back to its ';': where mbx_read_flags reads the 14 bytes {@code ;UUUUUUUUSSSS-}. */
    static final int FLAGS_FROM_END = 24;

    /** Thrown for a line c-client refuses, with its reason ("Unable to parse message flags ..."). */
    static final class BadLine extends Exception {
        private static final long serialVersionUID = 1L;

        BadLine(String m) {
            super(m);
        }
    }

    /** Parses {@code buf[from..end)}, the line without its CRLF. */
    static MbxMessageHeader parse(byte[] buf, int from, int end) throws BadLine {
        String line = new String(buf, from, end - from, StandardCharsets.ISO_8859_1);
        int comma = line.indexOf(',');
        int semi = comma < 0 ? -1 : line.indexOf(';', comma + 1);
        if (comma < 0 || semi < 0) {
            throw new BadLine("no \"<date>,<size>;<flags>-<uid>\" in \"" + shorten(line) + "\"");
        }
        String f = line.substring(semi + 1);
        if (f.length() < 12 || !hex(f, 0, 12)) {
            throw new BadLine("the message flags are not 12 hex digits in \"" + shorten(line) + "\"");
        }
        if (f.length() != 21 || f.charAt(12) != '-' || !hex(f, 13, 21)) {
            throw new BadLine("the UID is not '-' and 8 hex digits in \"" + shorten(line) + "\"");
        }
        long size;
        try {
            size = Long.parseLong(line.substring(comma + 1, semi));
        } catch (NumberFormatException e) {
            throw new BadLine("bad message size \"" + line.substring(comma + 1, semi) + "\"");
        }
        if (size <= 0) {
            throw new BadLine("message size " + size + " in \"" + shorten(line) + "\"");
        }
        ZonedDateTime date;
        try {
            date = org.spoollock.store.InternalDate.parse(line.substring(0, comma));
        } catch (RuntimeException e) {
            throw new BadLine("bad internal date \"" + line.substring(0, comma) + "\"");
        }
        return new MbxMessageHeader(date, size, Long.parseLong(f.substring(0, 8), 16), Integer.parseInt(f.substring(8, 12), 16),
                Long.parseLong(f.substring(13), 16));
    }

    private static boolean hex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static String shorten(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** The line as mbx_append writes it, CRLF included. */
    byte[] format() {
        return (org.spoollock.store.InternalDate.format(date) + "," + size + ";" + status(userFlags, systemFlags, uid) + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The 21 bytes mbx_update_status writes: {@code %08lx%04x-%08lx}. */
    static String status(long userFlags, int systemFlags, long uid) {
        return String.format(Locale.ROOT, "%08x%04x-", userFlags & 0xffffffffL, systemFlags & 0xffff) + uidField(uid);
    }

    /** The status's last 8 bytes, the UID ({@code %08lx}), which the UID-giving append writes alone. */
    static String uidField(long uid) {
        return String.format(Locale.ROOT, "%08x", uid);
    }

    /** Where the UID field of a message whose text starts at {@code textOffset} lies (before the CRLF). */
    static long uidFieldAt(long textOffset) {
        return textOffset - 2 - 8;
    }
}
