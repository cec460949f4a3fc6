package org.spoollock.store.maildir;

import java.util.Arrays;
import java.util.OptionalLong;

import org.spoollock.store.Flags;

/**
 * A Maildir file name as Dovecot 2.3 writes and reads it (maildir-filename.c):
 * {@code <base>[:2,<flags>]}, where the base may carry {@code ,S=<size>} (the file's size) and
 * {@code ,W=<vsize>} (its size with CRLF line ends), which Dovecot trusts instead of reading the file.
 * The flag letters are the standard ones (D draft, F flagged, P passed, R replied, S seen, T trashed)
 * and Dovecot's keyword letters 'a'..'z' (indexes into dovecot-keywords), all in ASCII order. Letters
 * we have no meaning for (P, other capitals) are kept as they are when the flags change.
 *
 * @param base    the name up to the info part: what the uidlist records and what never changes
 * @param info    what follows {@code :} (null when the name has none; "2,FS" for seen+flagged)
 */
record MaildirName(String base, String info) {
    /** Dovecot's default separator between base and info (maildir_storage's ':'). */
    static final char SEPARATOR = ':';

    static MaildirName parse(String fileName) {
        int colon = fileName.indexOf(SEPARATOR);
        return colon < 0 ? new MaildirName(fileName, null)
                : new MaildirName(fileName.substring(0, colon), fileName.substring(colon + 1));
    }

    String fileName() {
        return info == null ? base : base + SEPARATOR + info;
    }

    /** The letters after {@code 2,}; empty for a name without them (or with another info version). */
    String letters() {
        return info != null && info.startsWith("2,") ? info.substring(2) : "";
    }

    /** The five IMAP system flags ({@link Flags} bits) the letters say. */
    int flags() {
        int f = 0;
        for (char c : letters().toCharArray()) {
            switch (c) {
                case 'D' -> f |= Flags.DRAFT;
                case 'F' -> f |= Flags.FLAGGED;
                case 'R' -> f |= Flags.ANSWERED;
                case 'S' -> f |= Flags.SEEN;
                case 'T' -> f |= Flags.DELETED;
                default -> {
                }
            }
        }
        return f;
    }

    /** Indexes (0..25) of the keyword letters. */
    int[] keywordIndexes() {
        return letters().chars().filter(c -> c >= 'a' && c <= 'z').map(c -> c - 'a').toArray();
    }

    /** Letters that are neither a flag we set nor a keyword (e.g. P, passed): kept through flag changes. */
    String otherLetters() {
        StringBuilder b = new StringBuilder();
        for (char c : letters().toCharArray()) {
            if ("DFRST".indexOf(c) < 0 && !(c >= 'a' && c <= 'z')) {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The same message with these flags and keyword indexes (Dovecot always writes {@code :2,}, even with no letters). */
    MaildirName withFlags(int flags, int[] keywordIndexes) {
        StringBuilder b = new StringBuilder(otherLetters());
        b.append(letters(flags));
        for (int k : keywordIndexes) {
            b.append((char) ('a' + k));
        }
        char[] c = b.toString().toCharArray();
        Arrays.sort(c); // Dovecot keeps the letters in ASCII order: capitals, then keywords
        StringBuilder u = new StringBuilder();
        for (int i = 0; i < c.length; i++) {
            if (i == 0 || c[i] != c[i - 1]) {
                u.append(c[i]);
            }
        }
        return new MaildirName(base, "2," + u);
    }

    static String letters(int flags) {
        StringBuilder b = new StringBuilder();
        if ((flags & Flags.DRAFT) != 0) {
            b.append('D');
        }
        if ((flags & Flags.FLAGGED) != 0) {
            b.append('F');
        }
        if ((flags & Flags.ANSWERED) != 0) {
            b.append('R');
        }
        if ((flags & Flags.SEEN) != 0) {
            b.append('S');
        }
        if ((flags & Flags.DELETED) != 0) {
            b.append('T');
        }
        return b.toString();
    }

    /** {@code ,S=}: the file's size as the name says it. */
    OptionalLong size() {
        return field('S');
    }

    /** {@code ,W=}: the size with CRLF line ends (IMAP's RFC822.SIZE). */
    OptionalLong virtualSize() {
        return field('W');
    }

    /** A {@code ,X=<digits>} field of the base (after its first comma); empty if absent or not a number. */
    private OptionalLong field(char key) {
        int comma = base.indexOf(',');
        while (comma >= 0) {
            int next = base.indexOf(',', comma + 1);
            String part = base.substring(comma + 1, next < 0 ? base.length() : next);
            if (part.length() > 2 && part.charAt(0) == key && part.charAt(1) == '=') {
                try {
                    return OptionalLong.of(Long.parseLong(part.substring(2)));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
            comma = next;
        }
        return OptionalLong.empty();
    }

    /** Whether the base has a {@code ,key=} field whose value is not a number (a bad name). */
    boolean badField(char key) {
        return base.contains("," + key + "=") && field(key).isEmpty();
    }

    /**
     * The delivery time and microseconds the base begins with ({@code <secs>.M<usecs>...}), for ordering
     * new files as Dovecot assigns them UIDs (oldest first); {@code Long.MAX_VALUE} if it has none.
     */
    long deliveredMicros() {
        int dot = base.indexOf('.');
        if (dot <= 0) {
            return Long.MAX_VALUE;
        }
        try {
            long secs = Long.parseLong(base.substring(0, dot));
            long usecs = 0;
            if (base.length() > dot + 1 && base.charAt(dot + 1) == 'M') {
                int end = dot + 2;
                while (end < base.length() && Character.isDigit(base.charAt(end))) {
                    end++;
                }
                if (end > dot + 2) {
                    usecs = Long.parseLong(base.substring(dot + 2, end));
                }
            }
            return secs * 1_000_000L + Math.min(usecs, 999_999L);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
