package org.spoollock.store.mbx;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.store.BadMailboxException;

/**
 * The 2048 bytes at the start of an mbx file, as c-client's mbx driver writes them (mbx_create,
 * mbx_update_header): {@code *mbx*} CRLF, UIDVALIDITY and the last UID given as eight hex digits each,
 * CRLF, one line per keyword name (30 at most; the first empty line ends the list), NULs, and in its last
 * ten bytes the PID of the last process that changed flags ({@code %08lx} CRLF), which other sessions
 * watch to know when to read the flags again.
 */
record MbxFileHeader(long uidValidity, long uidLast, List<String> keywords, long lastPid) {
    static final int SIZE = 2048;
    /** c-client's NUSERFLAGS. */
    static final int MAX_KEYWORDS = 30;
    /** c-client's MAXUSERFLAG: longer names are skipped (the keyword's bit then has no name). */
    static final int MAX_KEYWORD_LENGTH = 64;

    /** Whether {@code b} starts as c-client's mbx_isvalid wants: {@code *mbx*} CRLF, 16 hex digits, CRLF. */
    static boolean looksLikeOne(byte[] b, int length) {
        if (length < 25 || b[0] != '*' || b[1] != 'm' || b[2] != 'b' || b[3] != 'x' || b[4] != '*' || b[5] != '\r'
                || b[6] != '\n' || b[23] != '\r' || b[24] != '\n') {
            return false;
        }
        for (int i = 7; i < 23; i++) {
            if (Character.digit(b[i], 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Reads the header of {@code file} from its first {@link #SIZE} bytes. */
    static MbxFileHeader parse(byte[] b, String file) throws BadMailboxException {
        if (b.length < SIZE || !looksLikeOne(b, b.length)) {
            throw new BadMailboxException(file + " is not an mbx mailbox: its first " + SIZE + " bytes are not an mbx"
                    + " header (\"*mbx*\", CRLF, UIDVALIDITY and last UID in hex, CRLF, keyword lines)");
        }
        long validity = Long.parseLong(new String(b, 7, 8, StandardCharsets.US_ASCII), 16);
        long last = Long.parseLong(new String(b, 15, 8, StandardCharsets.US_ASCII), 16);
        // as mbx_parse: up to 30 lines ending in CR, the first empty one (or a missing CR) ends the list;
        // a name too long keeps its place (the bit stays unnamed)
        List<String> names = new ArrayList<>();
        int at = 25;
        for (int i = 0; i < MAX_KEYWORDS; i++) {
            int cr = at;
            while (cr < SIZE && b[cr] != '\r' && b[cr] != 0) {
                cr++;
            }
            if (cr >= SIZE || b[cr] != '\r' || cr == at) {
                break;
            }
            String name = new String(b, at, cr - at, StandardCharsets.ISO_8859_1);
            names.add(name.length() <= MAX_KEYWORD_LENGTH ? name : null);
            at = cr + 2;
        }
        long pid = 0;
        boolean hex = b[SIZE - 2] == '\r' && b[SIZE - 1] == '\n';
        for (int i = SIZE - 10; i < SIZE - 2 && hex; i++) {
            hex = Character.digit(b[i], 16) >= 0;
        }
        if (hex) {
            pid = Long.parseLong(new String(b, SIZE - 10, 8, StandardCharsets.US_ASCII), 16);
        }
        return new MbxFileHeader(validity, last, java.util.Collections.unmodifiableList(names), pid);
    }

    /** The 2048 bytes c-client's mbx_update_header writes for this header. */
    byte[] format() {
        StringBuilder s = new StringBuilder(SIZE);
        s.append("*mbx*\r\n").append(String.format("%08x%08x", uidValidity, uidLast)).append("\r\n");
        int i = 0;
        for (; i < keywords.size() && keywords.get(i) != null; i++) {
            s.append(keywords.get(i)).append("\r\n");
        }
        for (; i < MAX_KEYWORDS; i++) {
            s.append("\r\n");
        }
        byte[] out = new byte[SIZE];
        byte[] text = s.toString().getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(text, 0, out, 0, Math.min(text.length, SIZE - 10));
        byte[] p = String.format("%08x\r\n", lastPid).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(p, 0, out, SIZE - 10, 10);
        return out;
    }
}
