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

/** Messages to APPEND, and the keywords of Jakarta Mail's {@link Flags}. */
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
            setFlags(JakartaFlags.of(flags, keywords), true);
        }

        @Override
        public Date getReceivedDate() {
            return received == null ? null : new Date(received.getTime());
        }
    }

    static List<String> keywords(Flags f) {
        return new ArrayList<>(List.of(f.getUserFlags()));
    }
}
