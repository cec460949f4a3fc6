package org.spoollock.store.mbox;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.spoollock.store.ByteScan;

/**
 * A message header as c-client presents it: its status headers (Status, X-Status, X-Keywords, X-UID,
 * X-IMAP, X-IMAPbase, in any case), the continuation lines that follow them and stray continuation
 * lines at the start dropped, CRs squeezed out, without the blank line that ends it.
 */
final class HeaderFilter {
    private HeaderFilter() {
    }

    static byte[] kept(byte[] raw) {
        return kept(raw, 0, raw.length);
    }

    /** The same for {@code raw[from .. from + length)}. */
    static byte[] kept(byte[] raw, int from, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length);
        int limit = from + length;
        boolean retain = true;
        int p = from;
        while (p < limit) {
            int q = p;
            while (q < limit && raw[q] != '\n') {
                q++;
            }
            int end = Math.min(q + 1, limit);
            boolean blank = (end - p == 1 && raw[p] == '\n') || (end - p == 2 && raw[p] == '\r' && raw[p + 1] == '\n');
            if (blank) {
                break;
            }
            char c = (char) raw[p];
            boolean status = (c == 'S' || c == 's' || c == 'X' || c == 'x') && MboxParser.isStatusHeaderName(field(raw, p, end));
            if (status) {
                retain = false;
            } else if (retain || (c != ' ' && c != '\t')) {
                retain = true;
                if (ByteScan.indexOf(raw, p, end, (byte) '\r') < 0) {
                    out.write(raw, p, end - p);   // the usual line: one copy, not a byte loop
                } else {
                    for (int i = p; i < end; i++) {
                        if (raw[i] != '\r') {
                            out.write(raw[i]);
                        }
                    }
                }
            }
            p = end;
        }
        return out.toByteArray();
    }

    private static String field(byte[] raw, int p, int end) {
        int q = p;
        while (q < end && q - p < 100 && !MboxParser.endsFieldName(raw[q])) { // the parser's rule, so size and content agree
            q++;
        }
        return new String(raw, p, q - p, StandardCharsets.ISO_8859_1);
    }
}
