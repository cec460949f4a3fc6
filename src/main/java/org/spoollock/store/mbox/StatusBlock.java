package org.spoollock.store.mbox;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import org.spoollock.store.Flags;

/**
 * The status headers and pseudo-message exactly as c-client's unix driver writes them when it
 * rewrites a mailbox (unix_xstatus, unix_pseudo):
 *
 * <pre>
 * X-IMAPbase: 1700000000 42 work later       (message 1 only, when there is no pseudo-message)
 * Status: RO
 * X-Status: DFAT
 * X-Keywords: work                           (padded with spaces: the block up to here is 50 bytes, 80 with X-IMAPbase)
 * X-UID: 42
 * (blank line)
 * </pre>
 *
 * The padding is what lets a later flag change be written in place.
 */
final class StatusBlock {
    static final String PSEUDO_FROM = "MAILER-DAEMON";
    static final String PSEUDO_NAME = "Mail System Internal Data";
    static final String PSEUDO_SUBJECT = "DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA";
    static final String PSEUDO_TEXT = "This text is part of the internal format of your mail folder, and is not\n"
            + "a real message.  It is created automatically by the mail system software.\n"
            + "If deleted, important folder data will be lost, and it will be re-created\n"
            + "with the data reset to initial values.";

    private StatusBlock() {
    }

    /**
     * The block for one message, blank line included. {@code withBase}: message 1 of a mailbox
     * without a pseudo-message carries X-IMAPbase.
     */
    static byte[] of(int flags, int keywordBits, long uid, List<String> keywords, long uidValidity, long uidLast,
                     boolean withBase) {
        StringBuilder s = new StringBuilder(128);
        int pad = 50;
        if (withBase) {
            s.append("X-IMAPbase: ").append(uidValidity).append(' ').append(uidLast);
            for (String k : keywords) {
                s.append(' ').append(k);
            }
            s.append('\n');
            pad += 30;
        }
        s.append("Status: ");
        if ((flags & Flags.SEEN) != 0) {
            s.append('R');
        }
        s.append("O\n");   // c-client's rewrite always writes O: the message has been seen by a session
        s.append("X-Status: ");
        xStatusLetters(s, flags);
        s.append('\n');
        s.append("X-Keywords:");
        for (int i = 0; i < keywords.size(); i++) {
            if ((keywordBits & (1 << i)) != 0) {
                s.append(' ').append(keywords.get(i));
            }
        }
        while (s.length() < pad) {
            s.append(' ');
        }
        s.append('\n');
        s.append("X-UID: ").append(uid).append('\n');
        s.append('\n');
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** X-Status letters in c-client's order: D F A T. */
    static void xStatusLetters(StringBuilder s, int flags) {
        if ((flags & Flags.DELETED) != 0) {
            s.append('D');
        }
        if ((flags & Flags.FLAGGED) != 0) {
            s.append('F');
        }
        if ((flags & Flags.ANSWERED) != 0) {
            s.append('A');
        }
        if ((flags & Flags.DRAFT) != 0) {
            s.append('T');
        }
    }

    /** c-client's pseudo-message, which carries the UID data of a mailbox that has no messages. */
    static byte[] pseudoMessage(long uidValidity, long uidLast, List<String> keywords, String host, ZonedDateTime now) {
        return pseudoMessage(uidValidity, uidLast, keywords, host, now, Framing.UNIX);
    }

    /** The pseudo-message framed as {@code framing} frames every message (c-client's mmdf_pseudo for mmdf). */
    static byte[] pseudoMessage(long uidValidity, long uidLast, List<String> keywords, String host, ZonedDateTime now,
                                Framing framing) {
        StringBuilder s = new StringBuilder(600);
        s.append(new String(framing.prefix(), StandardCharsets.ISO_8859_1));
        s.append("From ").append(PSEUDO_FROM).append(' ').append(ctime(now)).append('\n');
        s.append("Date: ").append(rfc822Date(now)).append('\n');
        s.append("From: ").append(PSEUDO_NAME).append(" <").append(PSEUDO_FROM).append('@').append(host).append(">\n");
        s.append("Subject: ").append(PSEUDO_SUBJECT).append('\n');
        s.append("Message-ID: <").append(now.toEpochSecond()).append('@').append(host).append(">\n");
        s.append(String.format(Locale.ROOT, "X-IMAP: %010d %010d", uidValidity, uidLast));
        for (String k : keywords) {
            s.append(' ').append(k);
        }
        s.append("\nStatus: RO\n\n").append(PSEUDO_TEXT).append('\n')
                .append(new String(framing.trailer(), StandardCharsets.ISO_8859_1));
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);
    private static final DateTimeFormatter CDATE = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy xx", Locale.ROOT);
    private static final DateTimeFormatter RFC822 = DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss xx", Locale.ROOT);

    /** {@code Wed Dec  2 05:53:22 1992} (ctime without its newline). */
    static String ctime(ZonedDateTime t) {
        return CTIME.format(t);
    }

    /** {@code Wed Dec  2 05:53:22 1992 -0700}: the date of a From_ line as c-client's append writes it. */
    static String fromLineDate(ZonedDateTime t) {
        return CDATE.format(t);
    }

    static String rfc822Date(ZonedDateTime t) {
        return RFC822.format(t);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
