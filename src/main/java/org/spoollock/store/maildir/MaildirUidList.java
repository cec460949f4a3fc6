package org.spoollock.store.maildir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.store.BadMailboxException;

/**
 * {@code dovecot-uidlist}, version 3, as Dovecot 2.3 reads and writes it (maildir-uidlist.c): a header
 * line {@code 3 V<uidvalidity> N<nextuid> [G<guid> ...]} and one line per message in ascending UID order,
 * {@code <uid> [<key><value> ...] :<base name>}. Dovecot appends lines to the file without touching the
 * header, so records may be at or above N: the next UID is the greater of N and the last UID + 1. Header fields and record extensions we do not use
 * (Dovecot's G, M, ...) are kept as they were when the file is written again.
 */
final class MaildirUidList {
    static final String NAME = "dovecot-uidlist";

    /** One message: its UID, the extensions as written (may be empty), its base name. */
    record Record(long uid, String extensions, String base) {
    }

    private final long uidValidity;
    private final long nextUid;
    /** Header fields other than V and N, as written (e.g. {@code G...}). */
    private final String otherHeader;
    private final List<Record> records;

    MaildirUidList(long uidValidity, long nextUid, String otherHeader, List<Record> records) {
        this.uidValidity = uidValidity;
        this.nextUid = nextUid;
        this.otherHeader = otherHeader;
        this.records = List.copyOf(records);
    }

    long uidValidity() {
        return uidValidity;
    }

    long nextUid() {
        return nextUid;
    }

    List<Record> records() {
        return records;
    }

    MaildirUidList with(long next, List<Record> recs) {
        return new MaildirUidList(uidValidity, next, otherHeader, recs);
    }

    /** The uidlist of {@code dir}, or null if it has none yet. Anything that is not version 3 as Dovecot writes it is refused. */
    static MaildirUidList read(Path dir) throws IOException {
        Path p = dir.resolve(NAME);
        byte[] b;
        try {
            b = Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            return null;
        }
        return parse(p, new String(b, StandardCharsets.UTF_8));
    }

    static MaildirUidList parse(Path p, String text) throws BadMailboxException {
        String[] lines = text.split("\n", -1);
        if (lines.length < 2 || !text.endsWith("\n")) {
            throw bad(p, 1, "the file is empty or its last line is cut short");
        }
        String[] head = lines[0].split(" ");
        if (!head[0].equals("3")) {
            throw bad(p, 1, "version \"" + head[0] + "\" (only version 3, Dovecot 1.1 and later, is read)");
        }
        long validity = -1;
        long next = -1;
        StringBuilder other = new StringBuilder();
        for (int i = 1; i < head.length; i++) {
            String f = head[i];
            if (f.isEmpty()) {
                continue;
            }
            char k = f.charAt(0);
            if (k == 'V' || k == 'N') {
                long v = number(f.substring(1), p, 1, "header field " + f);
                if (k == 'V') {
                    validity = v;
                } else {
                    next = v;
                }
            } else {
                other.append(' ').append(f);
            }
        }
        if (validity <= 0 || next <= 0) {
            throw bad(p, 1, "the header has no valid V<uidvalidity> and N<nextuid>");
        }
        List<Record> recs = new ArrayList<>();
        java.util.Map<String, Long> seen = new java.util.HashMap<>();
        long last = 0;
        for (int i = 1; i < lines.length - 1; i++) {
            String line = lines[i];
            int sp = line.indexOf(' ');
            int colon = line.indexOf(" :");
            if (sp <= 0 || colon < sp) {
                throw bad(p, i + 1, "not \"<uid> [extensions] :<file name>\": \"" + printable(line) + "\"");
            }
            long uid = number(line.substring(0, sp), p, i + 1, "UID");
            if (uid <= last) {
                throw bad(p, i + 1, "UID " + uid + " is not above the one before it (" + last + ")");
            }
            // the base name; should a writer have recorded a whole name, its flags part is not part of it
            String base = MaildirName.parse(line.substring(colon + 2)).base();
            if (base.isEmpty() || base.indexOf('/') >= 0) {
                throw bad(p, i + 1, "bad file name \"" + printable(base) + "\"");
            }
            Long twice = seen.put(base, uid);
            if (twice != null) {
                throw bad(p, i + 1, "file " + printable(base) + " is listed twice, as UID " + twice + " and UID " + uid);
            }
            recs.add(new Record(uid, colon > sp ? line.substring(sp + 1, colon).trim() : "", base));
            last = uid;
        }
        // Dovecot appends records without rewriting the header (dovecot-lda leaves "N1" above a record 1):
        // the next UID is above the last record as well as the header's
        return new MaildirUidList(validity, Math.max(next, last + 1), other.toString(), recs);
    }

    /** The file's text. */
    byte[] text() {
        StringBuilder b = new StringBuilder(64 + records.size() * 64);
        b.append("3 V").append(uidValidity).append(" N").append(nextUid).append(otherHeader).append('\n');
        for (Record r : records) {
            b.append(r.uid());
            if (!r.extensions().isEmpty()) {
                b.append(' ').append(r.extensions());
            }
            b.append(" :").append(r.base()).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static long number(String s, Path p, int line, String what) throws BadMailboxException {
        try {
            long v = Long.parseLong(s);
            if (v > 0 && v <= 0xffffffffL) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw bad(p, line, what + " \"" + printable(s) + "\" is not a number from 1 to 4294967295");
    }

    static BadMailboxException bad(Path p, int line, String what) {
        return new BadMailboxException(p + ", line " + line + ": " + what);
    }

    static String printable(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return t.replaceAll("[\\x00-\\x1f\\x7f]", "?");
    }
}
