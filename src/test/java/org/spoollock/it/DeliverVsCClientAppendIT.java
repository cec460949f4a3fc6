package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.spoollock.lock.MailboxLockOptions;
import org.spoollock.store.Flags;
import org.spoollock.store.mbox.Framing;
import org.spoollock.store.mbox.MboxAppender;
import org.spoollock.store.mbox.MboxEncoding;
import org.spoollock.store.mbox.Quoting;

/**
 * Delivery writes what c-client's append writes, byte for byte: the same messages, with the same envelope
 * sender, internal date and flags, appended by c-client's mail_append_full (spooltest/c/cclient-mbox append)
 * to one copy of a mailbox and by spoollock's delivery path (MboxEncoding.format, then MboxAppender.append,
 * what {@code spoollock deliver} runs) to another. The appended bytes must be equal except where
 * docs/mbox.md documents a deliberate difference: each case names the ones it shows ({@link Deviation}),
 * the test applies only those to c-client's bytes, and checks that each named one really changes them.
 *
 * <p>Two things about c-client's side. It has no envelope sender: its From_ line always says
 * {@code myusername()@mylocalhost()}, so that sender is read from its first append and given to ours.
 * And mail_append with no stream opens the mailbox as a read-write session, appends, then closes that
 * session with a checkpoint that rewrites the mailbox (X-IMAPbase in message 1, an X-UID and a padded
 * status block in every message; docs/mbox.md, "Delivery"). Its append's own bytes stay as they are
 * only while another session has the mailbox open (as imapd has a logged-in user's INBOX): its
 * session is then read-only. So a c-client session ({@code cclient-open ... ignore}, which keeps the
 * mailbox when asked) holds c-client's copy while it appends, and the bytes are read before it lets go.
 */
class DeliverVsCClientAppendIT {

    /** The differences docs/mbox.md ("Delivery") documents, each as the change it makes to c-client's bytes. */
    enum Deviation {
        /**
         * "c-client stops renaming status headers after the first header line that starts with X ...
         * we rename them anywhere in the header": every status header left as it is in c-client's header
         * gets X-Original-.
         */
        STATUS_HEADERS_RENAMED_ANYWHERE {
            @Override
            byte[] apply(byte[] cclient, int framingLines) {
                String s = latin1(cclient);
                int headerStart = nthLineStart(s, framingLines + 4); // (mmdf's ^A line,) From_, Status, X-Status, X-Keywords
                int headerEnd = s.indexOf("\n\n", headerStart - 1);
                headerEnd = headerEnd < 0 ? s.length() : headerEnd + 1;
                StringBuilder out = new StringBuilder(s.substring(0, headerStart));
                for (String line : s.substring(headerStart, headerEnd).split("(?<=\n)")) {
                    int colon = line.indexOf(':');
                    if (colon > 0 && STATUS_HEADERS.contains(line.substring(0, colon).toLowerCase(Locale.ROOT))) {
                        out.append("X-Original-");
                    }
                    out.append(line);
                }
                return out.append(s.substring(headerEnd)).toString().getBytes(StandardCharsets.ISO_8859_1);
            }
        },
        /**
         * "c-client appends after a last line that lacks its newline, which hides the new message inside
         * the previous one; we add the newline first."
         */
        NEWLINE_BEFORE_APPENDING_TO_AN_UNTERMINATED_MAILBOX {
            @Override
            byte[] apply(byte[] cclient, int framingLines) {
                return ("\n" + latin1(cclient)).getBytes(StandardCharsets.ISO_8859_1);
            }
        };

        /** The change to c-client's bytes; {@code framingLines}: lines before the From_ line (mmdf: 1). */
        abstract byte[] apply(byte[] cclient, int framingLines);
    }

    private static final Set<String> STATUS_HEADERS = Set.of("status", "x-status", "x-keywords", "x-uid", "x-imap",
            "x-imapbase");

    /** One message: its bytes, flags (ours, and c-client's spelling), internal date, and the deviations it shows. */
    record Case(String name, byte[] message, int flags, String cclientFlags, ZonedDateTime date, Set<Deviation> deviations) {
        Case(String name, String message, Deviation... deviations) {
            this(name, message.getBytes(StandardCharsets.ISO_8859_1), 0, "", DATE, Set.of(deviations));
        }

        /** c-client's APPEND date: "dd-Mmm-yyyy hh:mm:ss +zzzz", day padded with a space. */
        String cclientDate() {
            return String.format(Locale.ROOT, "%2d-%s-%d %02d:%02d:%02d %s", date.getDayOfMonth(),
                    date.getMonth().getDisplayName(java.time.format.TextStyle.SHORT, Locale.ROOT), date.getYear(),
                    date.getHour(), date.getMinute(), date.getSecond(),
                    date.getOffset().getId().replace(":", "").replace("Z", "+0000"));
        }
    }

    private static final ZonedDateTime DATE = ZonedDateTime.of(1992, 12, 2, 5, 53, 22, 0, ZoneOffset.ofHours(-7));
    private static final String SEED = "From seed@example.org Mon Nov  2 05:03:22 2026\nSubject: seed\n\nseed body\n\n";
    private static final String MMDF_SEED = "\u0001\u0001\u0001\u0001\nFrom seed@example.org Mon Nov  2 05:03:22 2026\n"
            + "Subject: seed\n\nseed body\n\u0001\u0001\u0001\u0001\n";

    static List<Case> cases() {
        List<Case> l = new ArrayList<>();
        l.add(new Case("plain", "Subject: plain\nFrom: a@example.org\n\nbody\n"));
        l.add(new Case("status headers present", "Subject: s\nStatus: RO\nX-Status: F\nX-Keywords: foo\nX-UID: 7\n"
                + "X-IMAP: 1 2\nX-IMAPbase: 1 2\n\nbody\n", Deviation.STATUS_HEADERS_RENAMED_ANYWHERE));
        l.add(new Case("status headers after an X- header", "Subject: s\nX-Mailer: m\nStatus: RO\nX-UID: 9\nx-status: A\n"
                + "\nbody\n", Deviation.STATUS_HEADERS_RENAMED_ANYWHERE));
        l.add(new Case("status headers in lower case, before any X- header", "status: RO\nx-uid: 3\nSubject: l\n\nb\n"));
        l.add(new Case("status header continued", "Subject: c\nStatus: R\n O\nX-Keywords: a\n\tb\n\nbody\n"));
        l.add(new Case("From_ lines in the body", "Subject: f\n\nFrom here\n>From there\nFrom: not a From_ line\n"
                + "Fromage\n\nFrom someone@example.org Mon Nov  2 05:03:22 2026\nend\n"));
        l.add(new Case("From_ line as the first line", "From someone@example.org Mon Nov  2 05:03:22 2026\nSubject: ff\n\nb\n"));
        l.add(new Case("8-bit and NUL", "Subject: \u00e9t\u00e9\n\ncaf\u00e9 \u00ff\u0080\u0000nul\n"));
        l.add(new Case("no final newline", "Subject: n\n\nno newline"));
        l.add(new Case("CRLF, bare CR", "Subject: c\r\nX-A: b\r\n\r\nline1\r\nFrom x\r\nbare\rcr\r\n"));
        l.add(new Case("starts with a blank line", "\nSubject: after blank\n\nbody\n"));
        l.add(new Case("long header", "Subject: " + "x".repeat(20_000) + "\nStatus: RO\nReceived: " + "y".repeat(9000)
                + "Status: RO\n\nbody\n"));
        l.add(new Case("header only, no blank line", "Subject: h\n"));
        l.add(new Case("one line, no colon", "just one line no colon\n"));
        l.add(new Case("blank lines at the end", "Subject: b\n\nbody\n\n\n"));
        l.add(new Case("flags", "Subject: flagged\n\nbody\n".getBytes(StandardCharsets.ISO_8859_1),
                Flags.SEEN | Flags.ANSWERED | Flags.FLAGGED | Flags.DELETED | Flags.DRAFT,
                "\\Seen \\Answered \\Flagged \\Deleted \\Draft", ZonedDateTime.of(2026, 1, 17, 23, 59, 59, 0,
                ZoneOffset.ofHoursMinutes(5, 30)), Set.of()));
        return l;
    }

    @Test
    void deliveredBytesAreCClientsAppendsExceptWhereDocumented() throws Exception {
        Path dir = Peers.newDir("deliver-vs-cclient");
        List<Case> cases = cases();
        List<byte[]> theirs = appendAll(dir, "theirs", SEED, cases, null, Framing.UNIX);
        List<byte[]> ours = appendAll(dir, "ours", SEED, cases, senderOf(theirs.get(0), Framing.UNIX), Framing.UNIX);
        for (int i = 0; i < cases.size(); i++) {
            compare(cases.get(i), theirs.get(i), ours.get(i), Framing.UNIX);
        }
    }

    /**
     * The same cases into an mmdf file, against c-client's mmdf driver: ^A lines around each message, ^A and
     * CR dropped, no From_ quoting, and the newline its append adds to every message kept as text.
     */
    @Test
    void mmdfDeliveredBytesAreCClientsAppendsExceptWhereDocumented() throws Exception {
        Path dir = Peers.newDir("deliver-vs-cclient-mmdf");
        // c-client's mmdf append renames status headers anywhere in the header (its unix append's switch
        // falls through, this one's does not): no deviation is left
        List<Case> cases = new ArrayList<>(cases().stream().map(c -> new Case(c.name(), c.message(), c.flags(),
                c.cclientFlags(), c.date(), Set.of())).toList());
        cases.add(new Case("^A bytes and a fake delimiter", "Subject: \u0001a\n\nbody\n\u0001\u0001\u0001\u0001\nafter\n"));
        List<byte[]> theirs = appendAll(dir, "theirs", MMDF_SEED, cases, null, Framing.MMDF);
        List<byte[]> ours = appendAll(dir, "ours", MMDF_SEED, cases, senderOf(theirs.get(0), Framing.MMDF), Framing.MMDF);
        for (int i = 0; i < cases.size(); i++) {
            compare(cases.get(i), theirs.get(i), ours.get(i), Framing.MMDF);
        }
    }

    @Test
    void appendingToAMailboxWithoutFinalNewline() throws Exception {
        Path dir = Peers.newDir("deliver-vs-cclient-unterminated");
        Case c = new Case("after an unterminated mailbox", "Subject: next\n\nbody\n",
                Deviation.NEWLINE_BEFORE_APPENDING_TO_AN_UNTERMINATED_MAILBOX);
        String seed = "From seed@example.org Mon Nov  2 05:03:22 2026\nSubject: seed\n\nno final newline";
        List<byte[]> theirs = appendAll(dir, "theirs", seed, List.of(c), null, Framing.UNIX);
        List<byte[]> ours = appendAll(dir, "ours", seed, List.of(c), senderOf(theirs.get(0), Framing.UNIX), Framing.UNIX);
        compare(c, theirs.get(0), ours.get(0), Framing.UNIX);
    }

    private static void compare(Case c, byte[] theirs, byte[] ours, Framing framing) {
        byte[] expected = theirs;
        for (Deviation d : Deviation.values()) {
            if (c.deviations().contains(d)) {
                byte[] changed = d.apply(expected, framing == Framing.MMDF ? 1 : 0);
                assertNotEquals(latin1(expected), latin1(changed), c.name() + ": names " + d
                        + ", which does not change c-client's bytes here: the case no longer shows it");
                expected = changed;
            }
        }
        assertEquals(latin1(expected), latin1(ours), c.name() + ": delivery differs from c-client's append"
                + (c.deviations().isEmpty() ? "" : " with " + c.deviations() + " applied"));
    }

    /**
     * Appends every case to a new mailbox holding {@code seed}, by c-client (sender null) or by our delivery
     * with that envelope sender; returns each append's bytes.
     */
    private static List<byte[]> appendAll(Path dir, String name, String seed, List<Case> cases, String sender,
                                          Framing framing) throws Exception {
        boolean cclient = sender == null;
        Path box = dir.resolve(name);
        Files.writeString(box, seed, StandardCharsets.ISO_8859_1);
        Peers.chown(box);
        List<byte[]> out = new ArrayList<>();
        Peers.Holder session = cclient ? new Peers.Holder(Peers.cclientOpen(box, "ignore"), false) : null;
        try {
            if (session != null) {
                assertTrue(session.awaitOutput("read-write", 60), "c-client's session did not open: " + session.stderr());
            }
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                long before = Files.size(box);
                if (cclient) {
                    Path msg = dir.resolve("message" + i);
                    Files.write(msg, c.message());
                    Peers.chown(msg);
                    Peers.Result r = Peers.cclientMbox("append", box, msg.toString(), c.cclientFlags(), c.cclientDate());
                    assertEquals(0, r.status(), c.name() + ": " + r);
                    assertTrue(!r.err().contains("Trying to get mailbox lock"), "c-client's append asked our session: " + r);
                } else {
                    MboxAppender.append(box, List.of(MboxEncoding.format(c.message(), sender, c.date(), c.flags(),
                            List.of(), Quoting.MBOXO, framing)), MailboxLockOptions.defaults(), Duration.ofSeconds(60),
                            true, framing);
                }
                byte[] all = Files.readAllBytes(box);
                assertEquals(seed, latin1(Arrays.copyOf(all, seed.length())), name + ": the mailbox before the"
                        + " appends was rewritten (c-client's checkpoint?) after " + c.name());
                out.add(Arrays.copyOfRange(all, (int) before, all.length));
            }
        } finally {
            if (session != null) {
                // killed, not closed: a close would checkpoint, and what it rewrites is not the append's
                session.kill9();
            }
        }
        return out;
    }

    /** c-client's From_ sender (myusername()@mylocalhost()), checked to be the test user's. */
    private static String senderOf(byte[] cclientAppend, Framing framing) {
        String first = latin1(cclientAppend).lines().skip(framing == Framing.MMDF ? 1 : 0).findFirst().orElse("");
        String[] w = first.split(" ");
        assertTrue(w.length > 2 && w[0].equals("From") && w[1].startsWith(Peers.USER + "@"),
                "c-client's From_ line: " + first);
        return w[1];
    }

    private static int nthLineStart(String s, int n) {
        int p = 0;
        for (int i = 0; i < n; i++) {
            p = s.indexOf('\n', p) + 1;
        }
        return p;
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
