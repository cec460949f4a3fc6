package org.spoollock.store.imap;

import java.io.ByteArrayInputStream;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import jakarta.mail.Flags;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/** Between the store's flag bits and keyword names and Jakarta Mail's {@link Flags}, and messages to APPEND. */
final class ImapMessages {
    private ImapMessages() {
    }

    /**
     * A message to APPEND as it was given: its bytes are sent unchanged (line ends made CRLF, as IMAP
     * requires), with its flags, keywords and internal date. Parsed once for the provider, never re-encoded:
     * a message read from a stream is "saved", so writeTo sends its header lines and body as they came.
     */
    static final class Raw extends MimeMessage {
        private final Date received;

        Raw(Session session, byte[] content, int flags, List<String> keywords, ZonedDateTime date)
                throws MessagingException {
            super(session, new ByteArrayInputStream(content));
            this.received = date == null ? null : Date.from(date.toInstant());
            setFlags(toJakarta(flags, keywords), true);
        }

        @Override
        public Date getReceivedDate() {
            return received == null ? null : new Date(received.getTime());
        }
    }

    static Flags toJakarta(int flags, List<String> keywords) {
        Flags f = new Flags();
        if ((flags & org.spoollock.store.Flags.SEEN) != 0) {
            f.add(Flags.Flag.SEEN);
        }
        if ((flags & org.spoollock.store.Flags.ANSWERED) != 0) {
            f.add(Flags.Flag.ANSWERED);
        }
        if ((flags & org.spoollock.store.Flags.FLAGGED) != 0) {
            f.add(Flags.Flag.FLAGGED);
        }
        if ((flags & org.spoollock.store.Flags.DELETED) != 0) {
            f.add(Flags.Flag.DELETED);
        }
        if ((flags & org.spoollock.store.Flags.DRAFT) != 0) {
            f.add(Flags.Flag.DRAFT);
        }
        for (String k : keywords) {
            f.add(k);
        }
        return f;
    }

    static int bits(Flags f) {
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

    static List<String> keywords(Flags f) {
        return new ArrayList<>(List.of(f.getUserFlags()));
    }
}
