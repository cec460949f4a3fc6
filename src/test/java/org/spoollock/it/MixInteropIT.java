package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.spoollock.it.CClientViews.cclientList;
import static org.spoollock.it.CClientViews.ok;
import static org.spoollock.it.CClientViews.ourList;
import static org.spoollock.it.CClientViews.rel;
import static org.spoollock.it.CClientViews.source;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.spoollock.store.Drivers;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxChangedException;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.StoreOptions;

/**
 * mix, written by c-client (mailutil copy, then flags, keywords and expunges by its sessions), read by us as
 * c-client reads it (UIDs, flags, keywords, sizes, dates; UIDVALIDITY through a copy out); written by us,
 * read by c-client as its own, and both taking turns on one mailbox; our open holds the shared lock on
 * .mixmeta, so c-client does not reclaim data files under us; damage refused naming the file, nothing
 * written over it.
 */
class MixInteropIT {
    @Test
    void weReadCClientsMixAsItDoesAndCopyItOutWithItsUids() throws Exception {
        Path dir = Peers.newDir("mix-read");
        Path src = source(dir, 8, "mix");
        Path box = dir.resolve("box");
        ok(Peers.mailutil("copy", rel(src), "#driver.mix/" + rel(box)));
        assertTrue(Files.isRegularFile(box.resolve(".mixmeta")));
        ok(Peers.cclientMbox("flag", box, "2", "\\Flagged work"));
        ok(Peers.cclientMbox("flag", box, "3:4", "\\Draft later"));
        ok(Peers.cclientMbox("flag", box, "1,6", "\\Seen \\Answered"));
        ok(Peers.cclientMbox("flag", box, "5", "\\Deleted"));
        ok(Peers.cclientMbox("expunge", box));
        List<String> theirs = cclientList(box, "mix");
        assertEquals(7 + 2, theirs.size(), theirs.toString());
        assertTrue(theirs.get(3).contains(" --F-- ") && theirs.get(3).contains(" work "), theirs.toString());
        assertEquals(theirs.subList(2, theirs.size()), ourList(box), "as c-client reads it");
        Peers.Result check = Peers.run(Peers.asUser(Peers.ours("check", box.toString())), 60);
        assertEquals(0, check.status(), check.toString());
        // copied out into mbox: UIDs and UIDVALIDITY kept, as c-client
        // reads the copy; each message byte for byte what mailutil's own copy of the mix holds
        Path back = dir.resolve("back");
        Peers.Result copy = Peers.run(Peers.asUser(Peers.ours("copy", box.toString(), "mbox:" + back)), 120);
        ok(copy);
        assertTrue(copy.out().contains("to mbox") && copy.out().contains("verified"), copy.toString());
        List<String> copied = cclientList(back, "unix");
        assertEquals(theirs.get(0).replaceAll("uidnext \\d+ nmsgs.*", ""),
                copied.get(0).replaceAll("uidnext \\d+ nmsgs.*", ""), "UIDVALIDITY kept");
        for (int i = 2; i < theirs.size(); i++) {
            String[] a = theirs.get(i).split(" ");
            String[] b = copied.get(i).split(" ");
            assertEquals(List.of(a[0], a[1], a[2], a[4], a[5]), List.of(b[0], b[1], b[2], b[4], b[5]), "message " + (i - 1));
        }
        Path theirCopy = dir.resolve("their-copy");
        ok(Peers.mailutil("copy", rel(box), "#driver.unix/" + rel(theirCopy)));
        StoreOptions so = StoreOptions.defaults();
        try (Mailbox a = Drivers.open(MailboxRef.of(back), false, so);
             Mailbox b = Drivers.open(MailboxRef.of(theirCopy), false, so)) {
            assertEquals(b.index().count(), a.index().count());
            for (int n = 1; n <= a.index().count(); n++) {
                assertEquals(new String(b.content(n), StandardCharsets.ISO_8859_1),
                        new String(a.content(n), StandardCharsets.ISO_8859_1), "message " + n);
            }
        }
    }

    /** A UW user's ~/mail of mixed formats, written by c-client, into a Maildir++ tree Dovecot reads. */
    @Test
    void aTreeOfMixMbxAndMboxFoldersBecomesAMaildirTree() throws Exception {
        Path dir = Peers.newDir("mix-tree");
        Path src = source(dir, 5, "mix");
        Path mail = dir.resolve("mail");
        Files.createDirectories(mail.resolve("lists"));
        Peers.run(List.of("chown", "-R", Peers.USER + ":" + Peers.USER, mail.toString()), 30);
        ok(Peers.mailutil("copy", rel(src), "#driver.mix/" + rel(mail.resolve("archive"))));
        ok(Peers.mailutil("copy", rel(src), "#driver.mbx/" + rel(mail.resolve("lists/work"))));
        ok(Peers.mailutil("copy", rel(src), "#driver.unix/" + rel(mail.resolve("sent"))));
        ok(Peers.cclientMbox("flag", mail.resolve("archive"), "2", "\\Flagged work"));
        Path md = dir.resolve("Maildir");
        Peers.Result r = Peers.run(Peers.asUser(Peers.ours("copy", "--recursive", mail.toString(), "maildir:" + md)), 300);
        ok(r);
        for (String folder : List.of(".archive", ".lists.work", ".sent")) {
            Peers.Result c = Peers.run(Peers.asUser(Peers.ours("count", "maildir:" + md.resolve(folder))), 60);
            ok(c);
            assertEquals("5", c.out().strip(), folder + ": " + r.out());
        }
        List<String> archived = ourList(md.resolve(".archive"));
        List<String> theirs = cclientList(mail.resolve("archive"), "mix");
        for (int i = 0; i < archived.size(); i++) {
            String[] a = archived.get(i).split(" ");
            String[] b = theirs.get(i + 2).split(" ");
            assertEquals(List.of(a[1], a[2], a[4]), List.of(b[1], b[2], b[4]), "archive message " + (i + 1));
        }
    }

    @Test
    void ourOpenKeepsCClientFromReclaimingAndSeesItsExpunge() throws Exception {
        Path dir = Peers.newDir("mix-shared");
        Path src = source(dir, 4, "mix");
        Path box = dir.resolve("box");
        ok(Peers.mailutil("copy", rel(src), "#driver.mix/" + rel(box)));
        ok(Peers.cclientMbox("flag", box, "2", "\\Deleted"));
        try (Mailbox m = Drivers.open(MailboxRef.of(box), false, StoreOptions.defaults())) {
            assertEquals(4, m.index().count());
            ok(Peers.cclientMbox("expunge", box));
            List<String> theirs = cclientList(box, "mix");
            assertEquals(3 + 2, theirs.size(), theirs.toString());
            // the expunged message's text is still where our index says (no burp while we hold .mixmeta)
            assertTrue(new String(m.content(2), StandardCharsets.ISO_8859_1).contains("Subject: message 2"));
            assertThrows(MailboxChangedException.class, m::sync);
        }
        List<String> theirs = cclientList(box, "mix");
        assertEquals(theirs.subList(2, theirs.size()), ourList(box));
    }

    /**
     * We write mix as c-client does: a copy of an mbox into mix reads, to c-client, as mailutil's own copy of it
     * (UIDs, flags, sizes, keywords, dates; the messages byte for byte); then c-client and we take turns on it
     * (flags, keywords, appends, deliveries, expunges, c-client's burp of the space we left) and each reads what
     * the other wrote.
     */
    @Test
    void cclientReadsOurMixAsItsOwnAndWeReadItsChanges() throws Exception {
        Path dir = Peers.newDir("mix-write");
        Path src = source(dir, 6, "mixw");
        ok(Peers.cclientMbox("list", src, "--rw")); // c-client's session stamps the mbox's UIDVALIDITY (X-IMAPbase)
        Path ours = dir.resolve("ours");
        Path theirs = dir.resolve("theirs");
        ok(Peers.run(Peers.asUser(Peers.ours("copy", src.toString(), "mix:" + ours)), 120));
        ok(Peers.mailutil("copy", rel(src), "#driver.mix/" + rel(theirs)));
        List<String> a = cclientList(ours, "mix");
        List<String> b = cclientList(theirs, "mix");
        assertEquals(b.subList(1, b.size()), a.subList(1, a.size()), "c-client reads our copy as its own");
        assertEquals(cclientList(src, "unix").get(0).split(" ")[1], a.get(0).split(" ")[1], "UIDVALIDITY kept");
        StoreOptions so = StoreOptions.defaults();
        try (Mailbox x = Drivers.open(MailboxRef.of(ours), false, so);
             Mailbox y = Drivers.open(MailboxRef.of(theirs), false, so)) {
            for (int n = 1; n <= y.index().count(); n++) {
                assertEquals(new String(y.content(n), StandardCharsets.ISO_8859_1),
                        new String(x.content(n), StandardCharsets.ISO_8859_1), "message " + n);
            }
        }
        // turns: c-client's flags and keywords, ours, c-client's append, our delivery, our expunge, c-client's
        Path extra = dir.resolve("extra");
        Files.writeString(extra, "From: c@example.org\r\nSubject: appended by c-client\r\n\r\nbody\r\n",
                StandardCharsets.US_ASCII);
        extra.toFile().setReadable(true, false);
        ok(Peers.cclientMbox("flag", ours, "2", "\\Flagged work"));
        ok(Peers.run(Peers.asUser(Peers.ours("flag", ours.toString(), "3", "+\\Seen", "+later")), 60));
        ok(Peers.cclientMbox("append", ours, rel(extra), "\\Answered"));
        ok(Peers.runWithInput(Peers.asUser(Peers.ours("deliver", "mix:" + ours)), dir.resolve("msg1"), 60));
        ok(Peers.cclientMbox("flag", ours, "1", "\\Deleted"));
        ok(Peers.run(Peers.asUser(Peers.ours("expunge", ours.toString())), 60));
        ok(Peers.run(Peers.asUser(Peers.ours("flag", ours.toString(), "4", "+\\Deleted")), 60));
        ok(Peers.cclientMbox("expunge", ours)); // c-client alone: it also reclaims the space in the data file
        List<String> now = cclientList(ours, "mix");
        assertEquals(2 + 6, now.size(), now.toString());
        assertTrue(now.get(2).split(" ")[1].equals("2") && now.get(2).contains(" --F-- ") && now.get(2).contains("work"),
                now.toString());
        assertTrue(now.get(3).contains(" S") && now.get(3).contains("later"), now.toString());
        assertEquals(List.of("2", "3", "4", "6", "7", "8"), now.subList(2, now.size()).stream()
                .map(l -> l.split(" ")[1]).toList(), "UIDs: 1 and (message 4 after that expunge) 5 gone, c-client's"
                + " append 7, our delivery 8");
        assertEquals(now.subList(2, now.size()), ourList(ours), "we read what c-client wrote as it does");
        Peers.Result check = Peers.run(Peers.asUser(Peers.ours("check", ours.toString())), 60);
        assertEquals(0, check.status(), check.toString());
    }

    /**
     * Deliveries into one mix at the same time from our deliver loops and c-client's append loops, while a
     * c-client session holds it read-write and our flag changes run: nothing lost, nothing twice.
     */
    @Test
    void concurrentDeliveriesFromBothSidesLoseNothing() throws Exception {
        Path dir = Peers.newDir("mix-concurrent");
        Path box = dir.resolve("box");
        ok(Peers.mailutil("create", "#driver.mix/" + rel(box)));
        CClientViews.deliverFromBothSides(dir, box, "mix", 12);
    }

    @Test
    void damageIsNamedAndNothingIsWrittenOverIt() throws Exception {
        Path dir = Peers.newDir("mix-bad");
        Path src = source(dir, 3, "mix");
        Path box = dir.resolve("box");
        ok(Peers.mailutil("copy", rel(src), "#driver.mix/" + rel(box)));
        Path data;
        try (var s = Files.list(box)) {
            data = s.filter(p -> p.getFileName().toString().matches("\\.mix[0-9a-f]{8}")).findFirst().orElseThrow();
        }
        byte[] whole = Files.readAllBytes(data);
        // a data file cut short: the message named with its file
        Files.write(data, java.util.Arrays.copyOf(whole, whole.length - 30));
        Peers.Result check = Peers.run(Peers.asUser(Peers.ours("check", box.toString())), 60);
        assertEquals(65, check.status(), check.toString());
        assertTrue((check.out() + check.err()).contains(data.getFileName().toString())
                && (check.out() + check.err()).contains("runs past the end"), check.toString());
        // an index record damaged: the file and the record named; a change refused, nothing written
        Path index = box.resolve(".mixindex");
        String ix = Files.readString(index, StandardCharsets.ISO_8859_1);
        Files.writeString(index, ix.replaceFirst(":00000002:2026", ":0000000z:2026"), StandardCharsets.ISO_8859_1);
        Peers.Result list = Peers.run(Peers.asUser(Peers.ours("list", box.toString())), 60);
        assertEquals(65, list.status(), list.toString());
        assertTrue(list.err().contains(".mixindex") && list.err().contains("bad UID"), list.toString());
        List<String> before = snapshot(box);
        for (List<String> args : List.of(List.of("flag", box.toString(), "1", "+\\Seen"), List.of("expunge", box.toString()))) {
            Peers.Result r = Peers.run(Peers.asUser(Peers.ours(args.toArray(String[]::new))), 60);
            assertEquals(65, r.status(), r.toString());
            assertTrue(r.err().contains(".mixindex"), r.toString());
        }
        Peers.Result d = Peers.runWithInput(Peers.asUser(Peers.ours("deliver", "mix:" + box)), dir.resolve("msg1"), 60);
        assertEquals(65, d.status(), d.toString());
        assertEquals(before, snapshot(box), "nothing written");
    }

    /** Every file's name and bytes. */
    private static List<String> snapshot(Path box) throws Exception {
        try (var s = Files.list(box)) {
            List<String> out = new java.util.ArrayList<>();
            for (Path p : s.sorted().toList()) {
                out.add(p.getFileName() + " " + java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
            }
            return out;
        }
    }
}
