package org.spoollock.store;

import java.util.ArrayList;
import java.util.List;

/**
 * The five IMAP system flags as bits. The values are c-client's tenex/mtx on-disk bits, so the
 * tenex store writes them as they are; mbox spells them as Status/X-Status letters.
 */
public final class Flags {
    public static final int SEEN = 01;
    public static final int DELETED = 02;
    public static final int FLAGGED = 04;
    public static final int ANSWERED = 010;
    public static final int DRAFT = 040;
    public static final int ALL = SEEN | DELETED | FLAGGED | ANSWERED | DRAFT;

    private Flags() {
    }

    /** Five characters, Seen Answered Flagged Deleted Draft, each its letter or '-': e.g. {@code S-F--}. */
    public static String letters(int flags) {
        char[] c = {'-', '-', '-', '-', '-'};
        if ((flags & SEEN) != 0) {
            c[0] = 'S';
        }
        if ((flags & ANSWERED) != 0) {
            c[1] = 'A';
        }
        if ((flags & FLAGGED) != 0) {
            c[2] = 'F';
        }
        if ((flags & DELETED) != 0) {
            c[3] = 'D';
        }
        if ((flags & DRAFT) != 0) {
            c[4] = 'T';
        }
        return new String(c);
    }

    /** The bit of a system flag named as in IMAP ({@code \Seen}, case-insensitive), or 0 if it is not one. */
    public static int bitOf(String name) {
        switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "\\seen": return SEEN;
            case "\\deleted": return DELETED;
            case "\\flagged": return FLAGGED;
            case "\\answered": return ANSWERED;
            case "\\draft": return DRAFT;
            default: return 0;
        }
    }

    /** IMAP names of the flags set, in the order Seen Answered Flagged Deleted Draft. */
    public static List<String> names(int flags) {
        List<String> out = new ArrayList<>();
        if ((flags & SEEN) != 0) {
            out.add("\\Seen");
        }
        if ((flags & ANSWERED) != 0) {
            out.add("\\Answered");
        }
        if ((flags & FLAGGED) != 0) {
            out.add("\\Flagged");
        }
        if ((flags & DELETED) != 0) {
            out.add("\\Deleted");
        }
        if ((flags & DRAFT) != 0) {
            out.add("\\Draft");
        }
        return out;
    }

    /** System flag bits and keywords named in a list such as {@code \Seen work,\Flagged} (IMAP STORE's names). */
    public record Named(int system, java.util.List<String> keywords) {
    }

    /**
     * Parses flag names separated by commas or blanks: the five settable system flags (case-insensitive)
     * and keywords, checked as {@link Keywords} does. {@link IllegalArgumentException} names the first
     * one that is neither (\Recent cannot be set).
     */
    public static Named parse(java.util.Collection<String> names) {
        int system = 0;
        List<String> keywords = new ArrayList<>();
        for (String arg : names) {
            for (String f : arg.split("[,\\s]+")) {
                if (f.isEmpty()) {
                    continue;
                }
                int bit = bitOf(f);
                if (bit != 0) {
                    system |= bit;
                } else if (f.startsWith("\\")) {
                    throw new IllegalArgumentException("unknown system flag " + f
                            + " (\\Seen \\Answered \\Flagged \\Deleted \\Draft; \\Recent cannot be set)");
                } else if (!Keywords.isValid(f)) {
                    throw new IllegalArgumentException(Keywords.whyInvalid(f));
                } else {
                    keywords.add(f);
                }
            }
        }
        return new Named(system, List.copyOf(keywords));
    }
}
