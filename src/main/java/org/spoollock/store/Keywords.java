package org.spoollock.store;

import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a keyword may be, checked once for every way in (the CLI's {@code flag}, a Jakarta Mail
 * {@code setFlags} or {@code appendMessages}, a transaction of any format): an IMAP atom of at most 64
 * characters. A space, CR or LF would split mbox's {@code X-Keywords:} line or inject a header line;
 * <code>( ) { % * " \ ]</code> and controls are not atom characters, so no IMAP client could name it.
 */
public final class Keywords {
    /** Longest keyword accepted (c-client has no limit of its own; its header lines do). */
    public static final int MAX_LENGTH = 64;
    private static final Pattern ATOM = Pattern.compile("[\\x21-\\x7e&&[^(){%*\"\\\\\\]]]{1," + MAX_LENGTH + "}");

    private Keywords() {
    }

    public static boolean isValid(String keyword) {
        return keyword != null && ATOM.matcher(keyword).matches();
    }

    /** The keywords as given, or {@link StorageException} (INVALID_INPUT) naming the first bad one. */
    public static List<String> requireValid(Collection<String> keywords) throws StorageException {
        for (String k : keywords) {
            if (!isValid(k)) {
                throw new StorageException(StorageException.Category.INVALID_INPUT, whyInvalid(k));
            }
        }
        return List.copyOf(keywords);
    }

    /** The message for an invalid keyword. */
    static String whyInvalid(String k) {
        return "\"" + printable(k) + "\" is not a valid keyword (IMAP atom characters, at most " + MAX_LENGTH + ")";
    }

    /** The keyword with controls shown as \xNN, so an error message stays one line. */
    private static String printable(String k) {
        if (k == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        for (char c : k.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
