package org.spoollock.store;

import java.time.ZonedDateTime;
import java.util.List;
import java.util.Objects;

/**
 * A message to append: its bytes as RFC 822 text (LF or CRLF line ends), its flags ({@link Flags}
 * bits), keywords, internal date and envelope sender (kept where the format has a place for it,
 * {@link Capability#ENVELOPE_SENDER}; null: the format's default). Keywords are checked here, so no
 * append of any format, with a session or without, can store one that is not an IMAP atom
 * ({@link Keywords}): an {@link IllegalArgumentException} names it.
 */
public record NewMessage(byte[] content, int flags, List<String> keywords, ZonedDateTime date, String sender) {
    public NewMessage {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(date, "date");
        keywords = keywords == null ? List.of() : List.copyOf(keywords);
        for (String k : keywords) {
            if (!Keywords.isValid(k)) {
                throw new IllegalArgumentException(Keywords.whyInvalid(k));
            }
        }
        if ((flags & ~Flags.ALL) != 0) {
            throw new IllegalArgumentException("not system flag bits: " + Integer.toOctalString(flags));
        }
    }

    public static NewMessage of(byte[] content, ZonedDateTime date) {
        return new NewMessage(content, 0, List.of(), date, null);
    }
}
