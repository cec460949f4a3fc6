package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spoollock.store.Drivers;
import org.spoollock.store.Flags;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.NewMessage;
import org.spoollock.store.StoreOptions;

/**
 * {@code spoollock copy} into and out of a real IMAP server (a private Dovecot): flags, keywords and
 * internal dates arrive as Dovecot reports them ({@code doveadm fetch}); a copy back into mbox gives every
 * message byte for byte with the server's UIDs and UIDVALIDITY; a copy killed with SIGKILL in the middle of
 * its APPENDs finishes with {@code --resume}, each message there once; bad credentials and an unreachable
 * server are errors naming the server.
 */
class ImapCopyIT {
    private static PrivateDovecot dovecot;

    @BeforeAll
    static void start() throws Exception {
        dovecot = PrivateDovecot.start("imap-copy");
    }

    @AfterAll
    static void stop() {
        if (dovecot != null) {
            dovecot.close();
        }
    }

    private static final ZonedDateTime DATE = ZonedDateTime.of(2026, 3, 4, 5, 6, 7, 0, ZoneOffset.ofHours(2));

    /** n messages, each with its own Message-ID, date and (by number) flags and keywords; From_ lines in bodies. */
    private static Path mailbox(String name, int n, boolean flagged) throws Exception {
        Path box = Peers.newDir(name).resolve("mbox");
        List<NewMessage> l = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            int flags = !flagged ? 0 : (i % 2 == 0 ? Flags.SEEN : 0) | (i % 3 == 0 ? Flags.FLAGGED : 0)
                    | (i % 5 == 0 ? Flags.ANSWERED : 0) | (i % 7 == 0 ? Flags.DRAFT : 0) | (i % 11 == 0 ? Flags.DELETED : 0);
            List<String> kw = !flagged ? List.of() : i % 4 == 0 ? List.of("work", "$Label1") : i % 4 == 1 ? List.of("later")
                    : List.of();
            String body = "Message-ID: <" + i + "@" + name + ">\nSubject: message " + i + "\nFrom: a@example.org\n\n"
                    + "line one of " + i + "\nFrom here on\n>From there\n" + "x".repeat(i * 7 % 300) + "\n";
            l.add(new NewMessage(body.getBytes(StandardCharsets.ISO_8859_1), flags, kw, DATE.plusMinutes(i), "s@example.org"));
        }
        Drivers.append(MailboxRef.of(box), l, true, StoreOptions.defaults());
        Peers.chown(box);
        return box;
    }

    private static List<String> withPassword(List<String> cmd) {
        List<String> l = new ArrayList<>(List.of("env", "SPOOLLOCK_IMAP_PASSWORD=" + PrivateDovecot.PASSWORD));
        l.addAll(cmd);
        return Peers.asUser(l);
    }

    private static Peers.Result copy(String... args) {
        List<String> a = new ArrayList<>(List.of("copy"));
        a.addAll(List.of(args));
        return Peers.run(withPassword(Peers.ours(a.toArray(String[]::new))), 300);
    }

    /** doveadm's "uid flags date.received" of a folder: one map per message. */
    private static List<Map<String, String>> doveadmFetch(String folder, String fields) {
        Peers.Result r = dovecot.doveadm("fetch", fields, "mailbox", folder, "ALL");
        assertEquals(0, r.status(), r.toString());
        List<Map<String, String>> out = new ArrayList<>();
        Map<String, String> cur = null;
        for (String line : r.out().lines().toList()) {
            Matcher m = Pattern.compile("^([a-z.\\-]+): ?(.*)$").matcher(line);
            if (m.matches()) {
                if (cur == null || cur.containsKey(m.group(1))) {
                    cur = new java.util.HashMap<>();
                    out.add(cur);
                }
                cur.put(m.group(1), m.group(2));
            }
        }
        return out;
    }

    /**
     * A server that refuses APPEND (Dovecot's quota: at most 150 messages for the user): the copy stops with
     * the server's reason and the folder named, exit 75, and reports as copied only the batches the server
     * took (it takes a MULTIAPPEND whole or not at all); once the quota is raised (the server restarted on the
     * same mail), {@code --resume} finishes, each message there once.
     */
    @Test
    void aServerRefusingAppendStopsTheCopyAndResumeFinishesIt() throws Exception {
        int n = 700;
        Path src = mailbox("imap-quota", n, false);
        Path home = Peers.newDir("imap-quota-home");
        List<String> quota = List.of("mail_plugins = $mail_plugins quota",
                "plugin {", "  quota = maildir:User quota", "  quota_rule = *:messages=%d", "}");
        List<String> tight = quota.stream().map(l -> l.replace("%d", "600")).toList();
        int there;
        try (PrivateDovecot full = PrivateDovecot.start(home, tight)) {
            Peers.Result r = copy(src.toString(), full.url("Full"));
            assertEquals(75, r.status(), r + "\n" + full.log());
            assertTrue(r.err().contains("/Full") && r.err().toLowerCase(java.util.Locale.ROOT).contains("quota"), r.toString());
            Peers.Result s = full.doveadm("mailbox", "status", "messages", "Full");
            there = Integer.parseInt(s.out().replaceAll("(?s).*messages=(\\d+).*", "$1"));
            assertTrue(there > 0 && there <= 600 && there % 500 == 0, "whole batches of 500 taken, none cut: " + there);
        }
        List<String> roomy = quota.stream().map(l -> l.replace("%d", "10000")).toList();
        try (PrivateDovecot more = PrivateDovecot.start(home, roomy)) {
            Peers.Result r = copy("--resume", src.toString(), more.url("Full"));
            assertEquals(0, r.status(), r + "\n" + more.log());
            assertTrue(r.out().contains("(" + there + " were there already)"), r.out());
            Peers.Result s = more.doveadm("mailbox", "status", "messages", "Full");
            assertTrue(s.out().contains("messages=" + n), s.toString());
        }
    }

    @Test
    void copiedToDovecotWithFlagsKeywordsAndDatesAndBackByteForByte() throws Exception {
        Path src = mailbox("imap-src", 40, true);
        Peers.Result r = copy(src.toString(), dovecot.url("Migrated"));
        assertEquals(0, r.status(), r + "\n" + dovecot.log());
        assertTrue(r.out().contains("verified"), r.out());
        List<Map<String, String>> seen = doveadmFetch("Migrated", "uid flags date.received");
        try (Mailbox m = Drivers.open(MailboxRef.of(src), false, StoreOptions.defaults())) {
            assertEquals(40, seen.size());
            for (int n = 1; n <= 40; n++) {
                Map<String, String> d = seen.get(n - 1);
                List<String> want = new ArrayList<>(Flags.names(m.index().flags(n)));
                want.addAll(m.index().keywords(n));
                List<String> got = new ArrayList<>(d.get("flags").isBlank() ? List.of() : List.of(d.get("flags").split(" ")));
                got.remove("\\Recent"); // the server's, for this session
                assertEquals(new HashSet<>(want), new HashSet<>(got), "message " + n + " in Dovecot: " + d);
                ZonedDateTime when = ZonedDateTime.parse(d.get("date.received").replace(' ', 'T') + "Z");
                assertEquals(m.index().internalDate(n).toEpochSecond(), when.toEpochSecond(), "message " + n + ": " + d);
            }
        }
        // and back: every message as it was, with the server's UIDs and UIDVALIDITY kept in the mbox
        Path back = Peers.newDir("imap-back").resolve("mbox");
        Peers.Result b = copy(dovecot.url("Migrated"), back.toString());
        assertEquals(0, b.status(), b.toString());
        assertTrue(b.out().contains("verified"), b.out());
        Peers.Result status = dovecot.doveadm("mailbox", "status", "uidvalidity", "Migrated");
        try (Mailbox a = Drivers.open(MailboxRef.of(src), false, StoreOptions.defaults());
             Mailbox c = Drivers.open(MailboxRef.of(back), false, StoreOptions.defaults())) {
            assertEquals(40, c.index().count());
            assertTrue(status.out().contains("uidvalidity=" + c.status().uidValidity()), status + " vs "
                    + c.status().uidValidity());
            for (int n = 1; n <= 40; n++) {
                assertEquals(new String(a.content(n), StandardCharsets.ISO_8859_1),
                        new String(c.content(n), StandardCharsets.ISO_8859_1).replace("\r\n", "\n"), "message " + n);
                assertEquals(a.index().flags(n), c.index().flags(n), "message " + n);
                assertEquals(new HashSet<>(a.index().keywords(n)), new HashSet<>(c.index().keywords(n)), "message " + n);
                assertEquals(Long.parseLong(seen.get(n - 1).get("uid")), c.index().uid(n), "message " + n);
            }
        }
    }

    @Test
    void aCopyKilledMidwayResumesWithEachMessageOnce() throws Exception {
        int n = 1500;
        Path src = mailbox("imap-resume", n, false);
        try (Peers.Holder run = new Peers.Holder(withPassword(Peers.ours("copy", src.toString(),
                dovecot.url("Resumed"))), false)) {
            long until = System.nanoTime() + 120_000_000_000L;
            int there = 0;
            Peers.Result s = null;
            while (there < 200 && System.nanoTime() < until) {
                s = dovecot.doveadm("mailbox", "status", "messages", "Resumed");
                Matcher m = Pattern.compile("messages=(\\d+)").matcher(s.out());
                there = m.find() ? Integer.parseInt(m.group(1)) : 0;
                Thread.sleep(20);
            }
            run.kill9();
            assertTrue(there >= 200, "the copy appended " + there + " messages in 120 s; " + run.stderr() + "; doveadm: " + s);
        }
        Peers.Result s = dovecot.doveadm("mailbox", "status", "messages", "Resumed");
        int killedAt = Integer.parseInt(s.out().replaceAll("(?s).*messages=(\\d+).*", "$1"));
        assertTrue(killedAt < n, "killed after all " + n + " were copied: kill it earlier");
        Peers.Result again = copy(src.toString(), dovecot.url("Resumed"));
        assertNotEquals(0, again.status(), "without --resume a non-empty target is refused: " + again);
        Peers.Result r = copy("--resume", src.toString(), dovecot.url("Resumed"));
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("verified") && r.out().contains("(" + killedAt + " were there already)"), r.out());
        List<Map<String, String>> ids = doveadmFetch("Resumed", "hdr.message-id");
        assertEquals(n, ids.size());
        HashSet<String> distinct = new HashSet<>();
        for (Map<String, String> m : ids) {
            distinct.add(m.get("hdr.message-id"));
        }
        assertEquals(n, distinct.size(), "each message once");
    }

    /** The server's end of the connection dies mid-copy (its imap process killed): exit 75 naming it; --resume finishes. */
    @Test
    void aDroppedConnectionIsTemporaryAndResumes() throws Exception {
        int n = 1200;
        Path src = mailbox("imap-dropped", n, false);
        Peers.Result cut;
        try (Peers.Holder run = new Peers.Holder(withPassword(Peers.ours("copy", src.toString(),
                dovecot.url("Dropped"))), false)) {
            long until = System.nanoTime() + 120_000_000_000L;
            int there = 0;
            while (there < 200 && System.nanoTime() < until) {
                Matcher m = Pattern.compile("messages=(\\d+)").matcher(dovecot.doveadm("mailbox", "status", "messages",
                        "Dropped").out());
                there = m.find() ? Integer.parseInt(m.group(1)) : 0;
                Thread.sleep(20);
            }
            assertTrue(there >= 200, "the copy appended " + there + " messages in 120 s; " + run.stderr());
            // Dovecot's imap processes run as the mail user: killing them cuts every IMAP connection of that user
            cut = Peers.run(List.of("pkill", "-KILL", "-u", Peers.USER, "-x", "imap"), 30);
            assertTrue(run.process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the copy did not end");
            assertEquals(75, run.process.exitValue(), "exit status; stderr: " + run.stderr());
            assertTrue(run.stderr().contains("127.0.0.1:" + dovecot.port + "/Dropped") && run.stderr().contains("resume"),
                    run.stderr());
        }
        assertEquals(0, cut.status(), cut.toString());
        Peers.Result r = copy("--resume", src.toString(), dovecot.url("Dropped"));
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("verified"), r.out());
        List<Map<String, String>> ids = doveadmFetch("Dropped", "hdr.message-id");
        assertEquals(n, ids.size());
        assertEquals(n, ids.stream().map(m -> m.get("hdr.message-id")).distinct().count(), "each message once");
    }

    /**
     * copy --recursive of a UW-style folder tree (mbox, mmdf and tenex files, a sub-directory, a file that is
     * no mailbox, a hidden file) into folders under one IMAP folder; a folder whose name holds Dovecot's
     * hierarchy separator ('.') fails with that reason while the others are copied; --resume verifies them
     * again and copies nothing twice.
     */
    @Test
    void aFolderTreeGoesIntoImapFolders() throws Exception {
        Path tree = Peers.newDir("imap-tree");
        Path lists = tree.resolve("lists");
        java.nio.file.Files.createDirectories(lists);
        StoreOptions so = StoreOptions.defaults().withKeywords(List.of());
        List<NewMessage> three = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            three.add(new NewMessage(("Message-ID: <t" + i + "@tree>\nSubject: " + i + "\n\nbody " + i + "\n")
                    .getBytes(StandardCharsets.ISO_8859_1), i == 2 ? Flags.SEEN : 0, List.of(), DATE, "s@example.org"));
        }
        Drivers.append(MailboxRef.of(tree.resolve("sent-mail")), three, true, so);
        Drivers.append(new MailboxRef("mmdf", lists.resolve("work").toString()), three.subList(0, 2), true, so);
        Drivers.append(new MailboxRef("tenex", lists.resolve("old-tenex").toString()), three.subList(0, 1), true, so);
        Drivers.append(new MailboxRef("mbox", lists.resolve("v1.0").toString()), three.subList(0, 1), true, so);
        java.nio.file.Files.writeString(tree.resolve("notes.txt"), "not mail\n");
        java.nio.file.Files.writeString(tree.resolve(".mailboxlist"), "sent-mail\n");
        Peers.run(List.of("chown", "-R", Peers.USER + ":" + Peers.USER, tree.toString()), 30);
        Peers.Result r = copy("--recursive", tree.toString(), dovecot.url("Old"));
        assertEquals(65, r.status(), r.toString());
        String out = r.out();
        assertTrue(out.contains("sent-mail ") && out.contains("lists/work ") && out.contains("lists/old-tenex "), out);
        assertTrue(out.lines().filter(l -> l.contains("verified") && !l.contains("NOT")).count() >= 3, out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("lists/v1.0") && l.contains("FAILED")
                && l.contains("hierarchy separator '.'")), out);
        assertTrue(out.contains("skipped: not a mailbox") && out.contains("skipped: a hidden file"), out);
        Map<String, Integer> want = Map.of("Old.sent-mail", 3, "Old.lists.work", 2, "Old.lists.old-tenex", 1);
        for (var e : want.entrySet()) {
            Peers.Result st = dovecot.doveadm("mailbox", "status", "messages", e.getKey());
            assertEquals(0, st.status(), st + "\n" + dovecot.doveadm("mailbox", "list"));
            assertTrue(st.out().contains("messages=" + e.getValue()), e.getKey() + ": " + st);
        }
        List<Map<String, String>> flags = doveadmFetch("Old.sent-mail", "flags");
        assertTrue(flags.get(1).get("flags").contains("\\Seen"), flags.toString());
        Peers.Result again = copy("--recursive", "--resume", tree.toString(), dovecot.url("Old"));
        assertTrue(again.out().contains("(3 there already)") && again.out().contains("(2 there already)"), again.toString());
        for (var e : want.entrySet()) {
            assertTrue(dovecot.doveadm("mailbox", "status", "messages", e.getKey()).out().contains("messages=" + e.getValue()),
                    e.getKey() + " after --resume");
        }
    }

    @Test
    void badCredentialsAndAnUnreachableServerAreClearErrors() throws Exception {
        Path src = mailbox("imap-errors", 2, false);
        List<String> cmd = new ArrayList<>(List.of("env", "SPOOLLOCK_IMAP_PASSWORD=wrong"));
        cmd.addAll(Peers.ours("copy", src.toString(), dovecot.url("Nope")));
        Peers.Result wrong = Peers.run(Peers.asUser(cmd), 120);
        assertNotEquals(0, wrong.status());
        assertTrue(wrong.err().contains("127.0.0.1:" + dovecot.port) && wrong.err().contains("log in"), wrong.toString());
        Peers.Result none = Peers.run(Peers.asUser(Peers.ours("copy", src.toString(), dovecot.url("Nope"))), 120);
        assertNotEquals(0, none.status());
        assertTrue(none.err().contains("SPOOLLOCK_IMAP_PASSWORD"), none.toString());
        Peers.Result inUrl = copy(src.toString(), "imap://" + Peers.USER + ":pw@127.0.0.1:" + dovecot.port + "/X");
        assertNotEquals(0, inUrl.status());
        assertTrue(inUrl.err().contains("password in the URL") && !inUrl.err().contains(":pw@"), inUrl.toString());
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Peers.Result gone = copy(src.toString(), "imap://" + Peers.USER + "@127.0.0.1:" + closed + "/X");
        assertEquals(75, gone.status(), gone.toString());
        assertTrue(gone.err().contains("127.0.0.1:" + closed), gone.toString());
    }
}
