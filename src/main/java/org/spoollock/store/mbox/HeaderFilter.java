package org.spoollock.store.mbox;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A message header as c-client presents it: its status headers (Status, X-Status, X-Keywords, X-UID,
 * X-IMAP, X-IMAPbase, in any case), the continuation lines that follow them and stray continuation
 * lines at the start dropped, CRs squeezed out, without the blank line that ends it.
 */
final class HeaderFilter {
    private HeaderFilter() {
    }

    static byte[] kept(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        boolean retain = true;
        int p = 0;
        while (p < raw.length) {
            int q = p;
            while (q < raw.length && raw[q] != '\n') {
                q++;
            }
            int end = Math.min(q + 1, raw.length);
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
                for (int i = p; i < end; i++) {
                    if (raw[i] != '\r') {
                        out.write(raw[i]);
                    }
                }
            }
            p = end;
        }
        return out.toByteArray();
    }

    private static String field(byte[] raw, int p, int end) {
        int q = p;
        while (q < end && q - p < 100 && raw[q] != ':' && raw[q] > ' ') {
            q++;
        }
        return new String(raw, p, q - p, StandardCharsets.ISO_8859_1);
    }
}
