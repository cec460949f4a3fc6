package org.spoollock.store.imap;

import java.util.List;

import jakarta.mail.Flags;

/**
 * Between the store's flag bits and keyword names ({@link org.spoollock.store.Flags}) and Jakarta Mail's
 * {@link Flags}: the one mapping, used by the IMAP store (which speaks Jakarta Mail to the server) and by the
 * Jakarta provider above the store (which speaks it to applications).
 */
public final class JakartaFlags {
    private JakartaFlags() {
    }

    /** The system flags of {@code bits} and the keywords, as Jakarta Mail's Flags. */
    public static Flags of(int bits, List<String> keywords) {
        Flags f = new Flags();
        if ((bits & org.spoollock.store.Flags.SEEN) != 0) {
            f.add(Flags.Flag.SEEN);
        }
        if ((bits & org.spoollock.store.Flags.ANSWERED) != 0) {
            f.add(Flags.Flag.ANSWERED);
        }
        if ((bits & org.spoollock.store.Flags.FLAGGED) != 0) {
            f.add(Flags.Flag.FLAGGED);
        }
        if ((bits & org.spoollock.store.Flags.DELETED) != 0) {
            f.add(Flags.Flag.DELETED);
        }
        if ((bits & org.spoollock.store.Flags.DRAFT) != 0) {
            f.add(Flags.Flag.DRAFT);
        }
        keywords.forEach(f::add);
        return f;
    }

    /** The store's bits for the system flags in {@code f} (\Recent and keywords aside). */
    public static int bits(Flags f) {
        int b = 0;
        if (f.contains(Flags.Flag.SEEN)) {
            b |= org.spoollock.store.Flags.SEEN;
        }
        if (f.contains(Flags.Flag.ANSWERED)) {
            b |= org.spoollock.store.Flags.ANSWERED;
        }
        if (f.contains(Flags.Flag.FLAGGED)) {
            b |= org.spoollock.store.Flags.FLAGGED;
        }
        if (f.contains(Flags.Flag.DELETED)) {
            b |= org.spoollock.store.Flags.DELETED;
        }
        if (f.contains(Flags.Flag.DRAFT)) {
            b |= org.spoollock.store.Flags.DRAFT;
        }
        return b;
    }
}
