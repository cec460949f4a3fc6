package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.Drivers;
import org.spoollock.store.Flags;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.NewMessage;
import org.spoollock.store.StoreOptions;

/**
 * Maildir against Dovecot 2.3 itself, every peer run as the test user: Dovecot reads what we write
 * ({@code doveadm -o mail_location=maildir:DIR fetch 'uid flags date.received' ALL}) with the source's
 * UIDs, UIDVALIDITY, flags and keywords, a Maildir++ folder included; we read what Dovecot wrote
 * (delivered by dovecot-lda, flagged over IMAP by its imap binary in PREAUTH mode) the same way; Dovecot
 * and we delivering alternately keep UIDs unique and increasing; and our copy lands in a Maildir that
 * Dovecot's IMAP has selected. Dovecot runs with the machine's configuration and only
 * {@code -o mail_location=...} on its command line: /etc/dovecot is never changed.
 */
class MaildirInteropIT {
    private static final ZonedDateTime DATE = ZonedDateTime.of(2026, 11, 2, 5, 3, 22, 0, ZoneOffset.ofHours(-7));
    private static final DateTimeFormatter DOVEADM = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    @BeforeAll
    static void dovecotIsThere() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/doveadm")), "Dovecot's doveadm is not installed");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/lib/dovecot/dovecot-lda")), "dovecot-lda not installed");
    }

    /** A Dovecot command as the test user, on the Maildir {@code md}, dates in UTC. */
    private static List<String> dovecot(Path md, String program, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "HOME=" + Peers.HOME, "USER=" + Peers.USER, "TZ=UTC", program,
                "-o", "mail_location=maildir:" + md));
        cmd.addAll(List.of(args));
        return Peers.asUser(cmd);
    }

    private static Peers.Result doveadm(Path md, String... args) {
        Peers.Result r = Peers.run(dovecot(md, "doveadm", args), 120);
        assertEquals(0, r.status(), r.toString());
        return r;
    }

    /** Each message as Dovecot shows it: "uid {flags and keywords, \Recent left out} date" (UTC). */
    private static List<String> dovecotView(Path md, String mailbox) {
        String out = doveadm(md, "fetch", "uid flags date.received", "mailbox", mailbox, "ALL").out();
        List<String> view = new ArrayList<>();
        String uid = null;
        String flags = null;
        for (String line : out.lines().toList()) {
            if (line.startsWith("uid: ")) {
                uid = line.substring(5).strip();
            } else if (line.startsWith("flags:")) {
                flags = line.substring(6).strip();
            } else if (line.startsWith("date.received: ")) {
                TreeSet<String> f = new TreeSet<>(List.of(flags.isEmpty() ? new String[0] : flags.split(" ")));
                f.remove("\\Recent");
                long t = LocalDateTime.parse(line.substring(15).strip(), DOVEADM).toEpochSecond(ZoneOffset.UTC);
                view.add(uid + " " + f + " " + t);
            }
        }
        return view;
    }

    /** The same, as our CLI's {@code list -l} shows it, run as the test user. */
    private static List<String> ourView(Path md) {
        Peers.Result r = Peers.run(Peers.asUser(Peers.ours("list", "-l", "maildir:" + md)), 120);
        assertEquals(0, r.status(), r.toString());
        List<String> view = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            String[] w = line.split(" ");
            TreeSet<String> f = new TreeSet<>();
            String letters = w[2];
            String[] names = {"\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft"};
            for (int i = 0; i < 5; i++) {
                if (letters.charAt(i) != '-') {
                    f.add(names[i]);
                }
            }
            if (!w[4].equals("-")) {
                f.addAll(List.of(w[4].split(",")));
            }
            view.add(w[1] + " " + f + " " + ZonedDateTime.parse(w[5]).toEpochSecond());
        }
        return view;
    }

    /** What the store interface shows of a mailbox, in the same form. */
    private static List<String> storeView(Mailbox m) {
        List<String> view = new ArrayList<>();
        for (int n = 1; n <= m.index().count(); n++) {
            TreeSet<String> f = new TreeSet<>(Flags.names(m.index().flags(n)));
            f.addAll(m.index().keywords(n));
            view.add(m.index().uid(n) + " " + f + " " + m.index().internalDate(n).toEpochSecond());
        }
        return view;
    }

    private static Path message(Path dir, String name, String subject) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "From: a@example.org\r\nSubject: " + subject + "\r\n\r\nbody of " + subject + "\r\n");
        Peers.chown(p);
        return p;
    }

    private static void chownAll(Path p) {
        Peers.run(List.of("chown", "-R", Peers.USER + ":" + Peers.USER, p.toString()), 30);
    }

    @Test
    void dovecotReadsWhatWeWriteWithTheSourcesUidsUidvalidityFlagsAndKeywords() throws Exception {
        Path dir = Peers.newDir("maildir-ours");
        StoreOptions o = StoreOptions.defaults().withTimeout(Duration.ofSeconds(30))
                .withSession(SessionLockOptions.defaults().withDirectory(dir));
        // the source: an mbox with UIDs (gaps from an expunge), flags and keywords
        MailboxRef src = MailboxRef.of("mbox", dir.resolve("mbox"));
        List<NewMessage> all = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            all.add(NewMessage.of(("From: a@example.org\nSubject: m" + i + "\n\nbody " + i + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII), DATE.plusHours(i)));
        }
        Drivers.append(src, all, false, o);
        List<String> expected;
        long validity;
        try (Mailbox m = Drivers.open(src, true, o)) {
            m.changes().setFlags(List.of(1, 4), Flags.SEEN | Flags.FLAGGED, 0, List.of("work", "$Label1"), List.of())
                    .setFlags(List.of(2), Flags.ANSWERED | Flags.DRAFT, 0, List.of("later"), List.of())
                    .setFlags(List.of(3, 7), Flags.DELETED, 0, List.of(), List.of()).expunge()
                    .setFlags(List.of(5), Flags.DELETED, 0, List.of(), List.of()).commit();
            expected = storeView(m);
            validity = m.status().uidValidity();
        }
        chownAll(dir);
        Path md = dir.resolve("Maildir");
        Peers.Result copy = Peers.run(Peers.asUser(Peers.ours("copy", "--format", "maildir", src.location(),
                md.toString())), 120);
        assertEquals(0, copy.status(), copy.toString());
        // a Maildir++ folder, delivered to by our deliver
        Path one = message(dir, "one.eml", "sent one");
        Peers.Result d = Peers.runWithInput(Peers.asUser(Peers.ours("deliver", "maildir:" + md.resolve(".Sent"))), one, 120);
        assertEquals(0, d.status(), d.toString());

        assertEquals(expected, dovecotView(md, "INBOX"));
        String status = doveadm(md, "mailbox", "status", "uidvalidity uidnext messages", "INBOX").out();
        assertTrue(status.contains("uidvalidity=" + validity), status);
        assertEquals(1, dovecotView(md, "Sent").size(), "the Maildir++ folder .Sent is Dovecot's Sent");
        // and what Dovecot did to it (its index, its G extensions) leaves our view as it was
        assertEquals(expected, ourView(md));
    }

    /**
     * A copy into a Maildir killed with SIGKILL in the middle: {@code --resume} takes the dead copy's uidlist
     * lock over at once (not after Dovecot's two minutes: the resume's lock timeout is 30 s), gives the files
     * the killed copy wrote the source's UIDs (every other one, so numbering them anew would differ) and
     * finishes; Dovecot then shows every message once, with the source's UIDs and UIDVALIDITY.
     */
    @Test
    void aCopyKilledMidwayResumesWithTheSourcesUids() throws Exception {
        int n = 3000;
        Path dir = Peers.newDir("maildir-resume");
        Path src = dir.resolve("src");
        String pad = "x".repeat(1500);
        StringBuilder b = new StringBuilder(n * 1700);
        for (int i = 1; i <= n; i++) {
            b.append("From a@example.org Mon Nov  2 05:03:22 2026\n");
            if (i == 1) {
                b.append("X-IMAPbase: 424242 ").append(2 * n + 10).append("\n");
            }
            b.append("Message-ID: <m").append(i).append("@example.org>\nSubject: message ").append(i)
                    .append("\nX-UID: ").append(2 * i + 5).append("\nStatus: RO\n\n").append(pad).append("\n\n");
        }
        Files.writeString(src, b.toString());
        Peers.chown(src);
        Path md = dir.resolve("Maildir");
        try (Peers.Holder run = new Peers.Holder(Peers.asUser(Peers.ours("copy", "--format", "maildir", src.toString(),
                md.toString())), false)) {
            long until = System.nanoTime() + 120_000_000_000L;
            long there = 0;
            while (there < 500 && System.nanoTime() < until && run.process.isAlive()) {
                try (var files = Files.list(md.resolve("cur"))) {
                    there = files.count();
                } catch (java.nio.file.NoSuchFileException notYet) {
                    there = 0;
                }
                Thread.sleep(5);
            }
            run.kill9();
            assertTrue(there >= 500, "the copy wrote " + there + " files in 120 s: " + run.stderr());
        }
        long killedAt;
        try (var files = Files.list(md.resolve("cur"))) {
            killedAt = files.count();
        }
        assertTrue(killedAt < n, "killed after all " + n + " were copied: kill it earlier");
        assertTrue(Files.exists(md.resolve("dovecot-uidlist.lock")), "the killed copy's uidlist lock is left");
        Peers.Result r = Peers.run(Peers.asUser(Peers.ours("copy", "--resume", "--timeout", "30", "--format", "maildir",
                src.toString(), md.toString())), 300);
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("verified") && r.out().contains("(" + killedAt + " were there already)"), r.out());
        String out = doveadm(md, "fetch", "uid hdr.message-id", "mailbox", "INBOX", "ALL").out();
        List<String> uids = new ArrayList<>();
        TreeSet<String> ids = new TreeSet<>();
        for (String line : out.lines().toList()) {
            if (line.startsWith("uid: ")) {
                uids.add(line.substring(5).strip());
            } else if (line.startsWith("hdr.message-id: ")) {
                ids.add(line.substring(16).strip());
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            expected.add(String.valueOf(2 * i + 5));
        }
        assertEquals(expected, uids, "the source's UIDs, in order, each once");
        assertEquals(n, ids.size(), "each message once");
        String status = doveadm(md, "mailbox", "status", "uidvalidity", "INBOX").out();
        assertTrue(status.contains("uidvalidity=424242"), status);
        assertTrue(!Files.exists(md.resolve("spoollock-import")), "the copy's intent is gone once it finished");
    }

    @Test
    void weReadWhatDovecotDeliveredAndFlaggedOverImapTheSameWay() throws Exception {
        Path dir = Peers.newDir("maildir-dovecot");
        Path md = dir.resolve("Maildir");
        for (int i = 1; i <= 4; i++) {
            Peers.Result r = Peers.runWithInput(dovecot(md, "/usr/lib/dovecot/dovecot-lda"), message(dir, i + ".eml",
                    "lda " + i), 120);
            assertEquals(0, r.status(), r.toString());
        }
        String imap = imapSession(md, "a select INBOX", "b uid store 1 +flags (\\Seen work $Label1)",
                "c uid store 2 +flags (\\Flagged \\Answered later)", "d uid store 3 +flags (\\Deleted)", "e expunge",
                "f logout");
        assertTrue(imap.contains("* 3 EXPUNGE"), imap);
        doveadm(md, "flags", "add", "\\Draft", "uid", "4");
        List<String> theirs = dovecotView(md, "INBOX");
        assertEquals(3, theirs.size(), theirs.toString());
        assertEquals(theirs, ourView(md));
        // and back: our flag changes (renames) and expunge on the Maildir Dovecot has indexed
        for (List<String> args : List.of(List.of("flag", "maildir:" + md, "1", "+\\Flagged", "+mine"),
                List.of("flag", "maildir:" + md, "1", "-work"),
                List.of("flag", "maildir:" + md, "2", "+\\Deleted"), List.of("expunge", "maildir:" + md))) {
            Peers.Result r = Peers.run(Peers.asUser(Peers.ours(args.toArray(String[]::new))), 120);
            assertEquals(0, r.status(), args + ": " + r);
        }
        List<String> after = dovecotView(md, "INBOX");
        assertEquals(2, after.size(), after.toString());
        assertTrue(after.get(0).contains("[$Label1, \\Flagged, \\Seen, mine]"), after.toString());
        assertEquals(after, ourView(md));
    }

    @Test
    void dovecotAndWeDeliveringInTurnKeepUidsUniqueAndIncreasing() throws Exception {
        Path dir = Peers.newDir("maildir-turns");
        Path md = dir.resolve("Maildir");
        for (int i = 1; i <= 4; i++) {
            Peers.Result ours = Peers.runWithInput(Peers.asUser(Peers.ours("deliver", "maildir:" + md)),
                    message(dir, "o" + i + ".eml", "ours " + i), 120);
            assertEquals(0, ours.status(), ours.toString());
            if (i % 2 == 0) {
                ourView(md); // an open of ours between deliveries gives UIDs too
            }
            Peers.Result lda = Peers.runWithInput(dovecot(md, "/usr/lib/dovecot/dovecot-lda"),
                    message(dir, "d" + i + ".eml", "dovecot " + i), 120);
            assertEquals(0, lda.status(), lda.toString());
        }
        List<String> theirs = dovecotView(md, "INBOX");
        List<String> ours = ourView(md);
        assertEquals(8, theirs.size(), theirs.toString());
        assertEquals(theirs, ours);
        long last = 0;
        for (String m : ours) {
            long uid = Long.parseLong(m.substring(0, m.indexOf(' ')));
            assertTrue(uid > last, "UIDs unique and increasing: " + ours);
            last = uid;
        }
    }

    /**
     * Dovecot expunges and flags while our read-write session is open (in this JVM, as root: what we make
     * is given to the Maildir's owner): our numbers hold, the expunged message's content says so, and our
     * next expunge reports it with ours; afterwards Dovecot and we show the same.
     */
    @Test
    void dovecotExpungingUnderOurSessionIsToldAtOurExpunge() throws Exception {
        Path dir = Peers.newDir("maildir-session");
        Path md = dir.resolve("Maildir");
        for (int i = 1; i <= 3; i++) {
            Peers.Result r = Peers.runWithInput(dovecot(md, "/usr/lib/dovecot/dovecot-lda"), message(dir, i + ".eml",
                    "s" + i), 120);
            assertEquals(0, r.status(), r.toString());
        }
        StoreOptions o = StoreOptions.defaults().withTimeout(Duration.ofSeconds(30))
                .withSession(SessionLockOptions.defaults().withDirectory(dir));
        try (Mailbox m = Drivers.open(MailboxRef.of(md), true, o)) {
            assertEquals(3, m.index().count());
            doveadm(md, "expunge", "mailbox", "INBOX", "uid", "2");
            doveadm(md, "flags", "add", "\\Answered", "uid", "3");
            assertEquals(0, m.sync());
            assertEquals(3, m.index().count());
            assertEquals(Flags.ANSWERED, m.index().flags(3) & Flags.ANSWERED);
            org.junit.jupiter.api.Assertions.assertThrows(org.spoollock.store.MailboxChangedException.class,
                    () -> m.content(2));
            m.changes().setFlags(List.of(1), Flags.DELETED, 0, List.of(), List.of()).commit();
            assertEquals(List.of(1, 2), m.changes().expunge().commit().expunged());
            assertEquals(1, m.index().count());
            assertEquals(3, m.index().uid(1));
        }
        assertEquals(dovecotView(md, "INBOX"), ourView(md));
        assertEquals(1, dovecotView(md, "INBOX").size());
    }

    @Test
    void ourCopyLandsInAMaildirDovecotsImapHasSelected() throws Exception {
        Path dir = Peers.newDir("maildir-live");
        Path md = dir.resolve("Maildir");
        StoreOptions o = StoreOptions.defaults().withTimeout(Duration.ofSeconds(30))
                .withSession(SessionLockOptions.defaults().withDirectory(dir));
        MailboxRef src = MailboxRef.of("mbox", dir.resolve("mbox"));
        List<NewMessage> all = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            all.add(new NewMessage(("Subject: live " + i + "\n\nx\n").getBytes(StandardCharsets.US_ASCII),
                    i == 2 ? Flags.SEEN : 0, List.of(), DATE, null));
        }
        Drivers.append(src, all, false, o);
        chownAll(dir);
        ProcessBuilder pb = new ProcessBuilder(dovecot(md, "/usr/lib/dovecot/imap")).redirectErrorStream(true);
        Process imap = pb.start();
        try (OutputStream in = imap.getOutputStream();
             BufferedReader out = new BufferedReader(new InputStreamReader(imap.getInputStream(), StandardCharsets.UTF_8))) {
            StringBuilder said = new StringBuilder();
            command(in, out, said, "a select INBOX", "a ");
            Peers.Result copy = Peers.run(Peers.asUser(Peers.ours("copy", src.location(), "maildir:" + md)), 120);
            assertEquals(0, copy.status(), copy.toString() + "\nIMAP:\n" + said);
            command(in, out, said, "b noop", "b ");
            String fetched = command(in, out, said, "c fetch 1:* (uid flags)", "c ");
            assertTrue(said.toString().contains("* 5 EXISTS"), said.toString());
            assertTrue(fetched.contains("* 2 FETCH (UID 2 FLAGS (\\Seen"), fetched);
            command(in, out, said, "d logout", "d ");
        } finally {
            imap.destroy();
        }
        assertEquals(5, dovecotView(md, "INBOX").size());
    }

    /** Sends one IMAP command and reads until the tagged answer; returns what came back for it. */
    private static String command(OutputStream in, BufferedReader out, StringBuilder said, String cmd, String tag)
            throws Exception {
        in.write((cmd + "\r\n").getBytes(StandardCharsets.US_ASCII));
        in.flush();
        StringBuilder got = new StringBuilder();
        long deadline = System.currentTimeMillis() + 120_000;
        for (String line; (line = out.readLine()) != null; ) {
            got.append(line).append('\n');
            if (line.startsWith(tag) || System.currentTimeMillis() > deadline) {
                break;
            }
        }
        said.append(got);
        assertTrue(got.toString().contains(tag + "OK"), cmd + ":\n" + said);
        return got.toString();
    }

    /** A whole IMAP session with Dovecot's imap binary in PREAUTH mode (no server, no login), over pipes (it refuses a file as stdin). */
    private static String imapSession(Path md, String... commands) throws Exception {
        Process imap = new ProcessBuilder(dovecot(md, "/usr/lib/dovecot/imap")).redirectErrorStream(true).start();
        StringBuilder said = new StringBuilder();
        try (OutputStream in = imap.getOutputStream();
             BufferedReader out = new BufferedReader(new InputStreamReader(imap.getInputStream(), StandardCharsets.UTF_8))) {
            for (String c : commands) {
                command(in, out, said, c, c.substring(0, c.indexOf(' ') + 1));
            }
        } finally {
            imap.destroy();
        }
        return said.toString();
    }
}
