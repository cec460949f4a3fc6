package org.spoollock.store.imap;

import java.io.ByteArrayOutputStream;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.mail.MessagingException;

import org.eclipse.angus.mail.iap.Argument;
import org.eclipse.angus.mail.iap.ByteArray;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.protocol.BASE64MailboxEncoder;
import org.eclipse.angus.mail.imap.protocol.BODY;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.spoollock.store.NewMessage;

/**
 * Many messages in one IMAP command each way, through the provider's protocol object: MULTIAPPEND
 * (RFC 3502: the batch is appended whole or not at all, in one round trip and, on Dovecot, one commit)
 * and FETCH of a range of BODY.PEEK[]. One round trip per message (and, on Dovecot, one fsync per APPEND)
 * made a copy into a server seven times slower than c-client's mailutil, which uses MULTIAPPEND.
 */
final class ImapBulk {
    private static final DateTimeFormatter INTERNALDATE = DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss xx", Locale.ROOT);

    private ImapBulk() {
    }

    static boolean canMultiAppend(ImapConnection c) throws MessagingException {
        return (Boolean) c.folder.doCommand(p -> p.hasCapability("MULTIAPPEND"));
    }

    /**
     * APPENDs {@code run} in one command; their UIDs from APPENDUID (zeros without UIDPLUS). The server
     * takes all or none (RFC 3502), so a batch cut off by a dropped connection left nothing half-done.
     */
    static List<Long> multiAppend(ImapConnection c, List<NewMessage> run) throws MessagingException {
        String mailbox = BASE64MailboxEncoder.encode(c.folder.getFullName());
        Argument args = new Argument();
        args.writeString(mailbox);
        for (NewMessage m : run) {
            args.writeAtom(flagList(m));
            if (m.date() != null) {
                args.writeString(INTERNALDATE.format(m.date()));
            }
            args.writeBytes(crlf(m.content()));
        }
        Response last = (Response) c.folder.doCommand(p -> {
            Response[] r = p.command("APPEND", args);
            p.notifyResponseHandlers(r);
            p.handleResult(r[r.length - 1]);
            return r[r.length - 1];
        });
        return appendUids(last.toString(), run.size());
    }

    /** The system flags and keywords of a message as an IMAP flag list. */
    private static String flagList(NewMessage m) {
        List<String> f = new ArrayList<>(org.spoollock.store.Flags.names(m.flags()));
        f.addAll(m.keywords());
        return "(" + String.join(" ", f) + ")";
    }

    /** Bare LFs made CRLF, as IMAP requires of a message. */
    static byte[] crlf(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + b.length / 40 + 2);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\n' && (i == 0 || b[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(b[i]);
        }
        return out.toByteArray();
    }

    /** The UIDs of "[APPENDUID validity uid-set]" in the tagged answer, in order; zeros where there is none. */
    static List<Long> appendUids(String answer, int count) {
        List<Long> out = new ArrayList<>(count);
        int at = answer.indexOf("[APPENDUID ");
        if (at >= 0) {
            String[] w = answer.substring(at + 11, Math.max(at + 11, answer.indexOf(']', at))).trim().split(" ");
            if (w.length >= 2) {
                for (String part : w[1].split(",")) {
                    int colon = part.indexOf(':');
                    long lo = Long.parseLong(colon < 0 ? part : part.substring(0, colon));
                    long hi = colon < 0 ? lo : Long.parseLong(part.substring(colon + 1));
                    for (long u = Math.min(lo, hi); u <= Math.max(lo, hi); u++) {
                        out.add(u);
                    }
                }
            }
        }
        while (out.size() < count) {
            out.add(0L);
        }
        return out;
    }

    /** The whole of messages {@code from..to} (BODY.PEEK[]), in one FETCH, in message order. */
    static List<byte[]> fetchBodies(ImapConnection c, int from, int to) throws MessagingException {
        @SuppressWarnings("unchecked")
        List<byte[]> got = (List<byte[]>) c.folder.doCommand(p -> {
            Response[] r = p.fetch(from, to, "BODY.PEEK[]");
            p.notifyResponseHandlers(r);
            p.handleResult(r[r.length - 1]);
            byte[][] bodies = new byte[to - from + 1][];
            for (Response x : r) {
                if (x instanceof FetchResponse f) {
                    BODY b = f.getItem(BODY.class);
                    int n = f.getNumber();
                    if (b != null && n >= from && n <= to) {
                        ByteArray a = b.getByteArray();
                        bodies[n - from] = java.util.Arrays.copyOfRange(a.getBytes(), a.getStart(), a.getStart() + a.getCount());
                    }
                }
            }
            return java.util.Arrays.asList(bodies);
        });
        for (int i = 0; i < got.size(); i++) {
            if (got.get(i) == null) {
                throw new MessagingException("the server sent no BODY[] for message " + (from + i));
            }
        }
        return got;
    }
}
