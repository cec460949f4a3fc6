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
import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.Drivers;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxChangedException;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.StoreOptions;

/**
 * mbx, written by c-client (mailutil copy, then flags, keywords and expunges by c-client's sessions), read
 * by us exactly as c-client reads it (UIDs, flags, keywords, sizes, dates; UIDVALIDITY through a copy back
 * into mbox); messages another session expunged while the mailbox was shared (0x8000) skipped; our open
 * holds the shared flock, so c-client's expunge under it only hides messages, as between two c-client
 * sessions; a damaged file is refused naming the offset. And the other way: what we write (deliveries,
 * flags, keywords, expunges, copies) c-client reads as its own, and our copy into mbx equals mailutil's.
 */
class MbxInteropIT {
    @Test
    void weReadCClientsMbxAsItDoesAndCopyItOutWithItsUids() throws Exception {
        Path dir = Peers.newDir("mbx-read");
        Path src = source(dir, 8, "mbx");
        Path box = dir.resolve("box");
        ok(Peers.mailutil("copy", rel(src), "#driver.mbx/" + rel(box)));
        assertTrue(Files.readString(box, StandardCharsets.ISO_8859_1).startsWith("*mbx*\r\n"));
        // mailutil's append gives no UIDs (0): a read-only reader numbers them for itself, as c-client's does
        List<String> fresh = cclientList(box, "mbx");
        assertEquals(fresh.subList(2, fresh.size()), ourList(box), "UIDs not yet given");
        // c-client's read-write sessions give UIDs, flags and keywords (header lines), and expunge alone
        ok(Peers.cclientMbox("flag", box, "2", "\\Flagged work"));
        ok(Peers.cclientMbox("flag", box, "3:4", "\\Draft later"));
        ok(Peers.cclientMbox("flag", box, "1,6", "\\Seen \\Answered"));
        ok(Peers.cclientMbox("flag", box, "5", "\\Deleted"));
        ok(Peers.cclientMbox("expunge", box));
        ok(Peers.cclientMbox("flag", box, "6", "\\Deleted work"));
        List<String> theirs = cclientList(box, "mbx");
        assertEquals(7 + 2, theirs.size(), theirs.toString());
        assertTrue(theirs.get(3).contains(" --F-- ") && theirs.get(3).contains(" work "), theirs.toString());
        assertEquals(theirs.subList(2, theirs.size()), ourList(box), "as c-client reads it");
        Peers.Result check = Peers.run(Peers.asUser(Peers.ours("check", box.toString())), 60);
        assertEquals(0, check.status(), check.toString());
        // copied out into mbox: the same messages, UIDs and UIDVALIDITY, as c-client reads the copy
        Path back = dir.resolve("back");
        Peers.Result copy = Peers.run(Peers.asUser(Peers.ours("copy", "--format", "mbox", box.toString(), back.toString())), 120);
        ok(copy);
        assertTrue(copy.out().contains("verified"), copy.toString());
        List<String> copied = cclientList(back, "unix");
        String v = theirs.get(0).replaceAll("uidnext \\d+ nmsgs.*", "");
        assertEquals(v, copied.get(0).replaceAll("uidnext \\d+ nmsgs.*", ""), "UIDVALIDITY kept");
        for (int i = 2; i < theirs.size(); i++) {
            String[] a = theirs.get(i).split(" ");
            String[] b = copied.get(i).split(" ");
            // msgno, uid, flags, keywords, date: the same; the size too (c-client counts CRLF in both)
            assertEquals(List.of(a[0], a[1], a[2], a[3], a[4], a[5]), List.of(b[0], b[1], b[2], b[3], b[4], b[5]),
                    "message " + (i - 1));
        }
        // and byte for byte, message by message, what c-client's mailutil copy of the same mbx writes
        Path theirCopy = dir.resolve("their-copy");
        ok(Peers.mailutil("copy", rel(box), rel(theirCopy)));
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

    /**
     * Our writes, read by c-client: deliveries (no UID yet, as mailutil's), flags and keywords in place,
     * an expunge that compacts the file when it is ours alone (as c-client's); c-client's changes read by us; and
     * our copy of an mbox into mbx against mailutil's copy of the same mbox, message by message.
     */
    @Test
    void cClientReadsWhatWeWriteAsItsOwn() throws Exception {
        Path dir = Peers.newDir("mbx-write");
        Path src = source(dir, 6, "mbx");
        ok(Peers.run(Peers.asUser(Peers.ours("flag", src.toString(), "2:3", "+\\Seen", "+work")), 60));
        ok(Peers.run(Peers.asUser(Peers.ours("flag", src.toString(), "4", "+\\Flagged", "+later", "+work")), 60));
        Path ours = dir.resolve("ours");
        Path theirs = dir.resolve("theirs");
        Peers.Result copy = Peers.run(Peers.asUser(Peers.ours("copy", "--format", "mbx", src.toString(), ours.toString())), 120);
        ok(copy);
        assertTrue(copy.out().contains("verified"), copy.toString());
        ok(Peers.mailutil("copy", rel(src), "#driver.mbx/" + rel(theirs)));
        // c-client's view of both: the same flags, sizes and dates; ours keeps the source's UIDs and keywords
        List<String> a = cclientList(ours, "mbx");
        List<String> b = cclientList(theirs, "mbx");
        assertEquals(a.size(), b.size());
        for (int i = 2; i < a.size(); i++) {
            String[] x = a.get(i).split(" ");
            String[] y = b.get(i).split(" ");
            assertEquals(List.of(x[0], x[2], x[3], x[5]), List.of(y[0], y[2], y[3], y[5]), "message " + (i - 1));
        }
        assertEquals(a.subList(2, a.size()), ourList(ours), "we read ours as c-client does");
        assertTrue(a.get(5).contains(" later,work ") || a.get(5).contains(" work,later "), a.toString());
        StoreOptions so = StoreOptions.defaults();
        try (Mailbox x = Drivers.open(MailboxRef.of(ours), false, so); Mailbox y = Drivers.open(MailboxRef.of(theirs), false, so);
             Mailbox s = Drivers.open(MailboxRef.of(src), false, so)) {
            assertEquals(s.status().uidValidity(), x.status().uidValidity(), "the source's UIDVALIDITY");
            for (int n = 1; n <= x.index().count(); n++) {
                assertEquals(s.index().uid(n), x.index().uid(n), "the source's UIDs");
                assertTrue(java.util.Arrays.equals(y.content(n), x.content(n)), "message " + n + " byte for byte");
            }
        }
        // deliveries and changes, each read by the other
        ok(Peers.runWithInput(Peers.asUser(Peers.ours("deliver", "mbx:" + ours)), dir.resolve("msg1"), 60));
        ok(Peers.cclientMbox("append", ours, rel(dir.resolve("msg2"))));
        ok(Peers.run(Peers.asUser(Peers.ours("flag", ours.toString(), "7", "+\\Answered", "+fresh")), 60));
        ok(Peers.cclientMbox("flag", ours, "8", "\\Draft work"));
        ok(Peers.run(Peers.asUser(Peers.ours("flag", ours.toString(), "1", "+\\Deleted")), 60));
        long beforeExpunge = Files.size(ours);
        ok(Peers.run(Peers.asUser(Peers.ours("expunge", ours.toString())), 60));
        // alone with the file, our expunge compacts it, as c-client's does (mbx_rewrite)
        assertTrue(Files.size(ours) < beforeExpunge, "the expunged message's space reclaimed by our expunge");
        List<String> after = cclientList(ours, "mbx");
        assertEquals(7 + 2, after.size(), after.toString());
        assertTrue(after.get(7).contains(" fresh") && after.get(7).contains("-A---"), after.toString());
        assertEquals(after.subList(2, after.size()), ourList(ours));
        // c-client's expunge after ours finds nothing left to reclaim, and changes nothing
        long size = Files.size(ours);
        ok(Peers.cclientMbox("expunge", ours));
        assertEquals(size, Files.size(ours), "nothing left to reclaim after our compaction");
        assertEquals(after.subList(2, after.size()), cclientList(ours, "mbx").subList(2, after.size()));
        assertEquals(after.subList(2, after.size()), ourList(ours));
        Peers.Result check = Peers.run(Peers.asUser(Peers.ours("check", ours.toString())), 60);
        assertEquals(0, check.status(), check.toString());
    }

    /**
     * Our delivery gives UIDs as c-client's imapd does for APPEND (APPENDUID: mbx_isvalid numbers every message
     * without a UID first): after two appends by c-client's mail_append (UID 0 on disk, as mailutil's), ours
     * writes UIDs 1 and 2 into theirs and 3 into its own, and the header's last UID 3. c-client reads those
     * UIDs read-only and after a read-write session of its own, under the same UIDVALIDITY (no rebuild), and
     * so do we; c-client's next append continues at 4 in its view.
     */
    @Test
    void ourDeliveryGivesUidsAsImapdsAppendDoes() throws Exception {
        Path dir = Peers.newDir("mbx-uids");
        Path box = dir.resolve("box");
        ok(Peers.mailutil("create", "#driver.mbx/" + rel(box)));
        for (int i = 1; i <= 4; i++) {
            Path m = dir.resolve("msg" + i);
            Files.writeString(m, "From: uids@example.org\r\nSubject: uid " + i + "\r\nMessage-ID: <uid-" + i
                    + "@mbx>\r\n\r\nbody " + i + "\r\n", StandardCharsets.US_ASCII);
            m.toFile().setReadable(true, false);
        }
        ok(Peers.cclientMbox("append", box, rel(dir.resolve("msg1"))));
        ok(Peers.cclientMbox("append", box, rel(dir.resolve("msg2"))));
        assertEquals(List.of("00000000", "00000000"), uidFields(box), "c-client's mail_append gives no UID");
        String validity = cclientList(box, "mbx").get(0).split(" ")[1];
        ok(Peers.runWithInput(Peers.asUser(Peers.ours("deliver", "mbx:" + box)), dir.resolve("msg3"), 60));
        assertEquals(List.of("00000001", "00000002", "00000003"), uidFields(box));
        assertEquals("00000003", new String(Files.readAllBytes(box), 15, 8, StandardCharsets.US_ASCII), "the header's last UID");
        List<String> readOnly = cclientList(box, "mbx");
        assertEquals(validity, readOnly.get(0).split(" ")[1], "UIDVALIDITY kept");
        assertEquals(List.of("1", "2", "3"), uidColumn(readOnly));
        assertEquals(readOnly.subList(2, readOnly.size()), ourList(box));
        ok(Peers.cclientMbox("flag", box, "1:3", "\\Seen"));
        List<String> afterSession = cclientList(box, "mbx");
        assertEquals(validity, afterSession.get(0).split(" ")[1], "no UID rebuild by c-client's read-write session");
        assertEquals(List.of("1", "2", "3"), uidColumn(afterSession));
        ok(Peers.cclientMbox("append", box, rel(dir.resolve("msg4"))));
        assertEquals(List.of("1", "2", "3", "4"), uidColumn(cclientList(box, "mbx")));
        assertEquals(cclientList(box, "mbx").subList(2, 6), ourList(box));
    }

    /** The UID field (8 hex digits) of every message's header line in an mbx file, in file order. */
    private static List<String> uidFields(Path box) throws Exception {
        String f = new String(Files.readAllBytes(box), StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("[^\r\n]*,\\d+;[0-9a-f]{12}-([0-9a-f]{8})\r\n").matcher(f.substring(2048));
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static List<String> uidColumn(List<String> cclientList) {
        return cclientList.subList(2, cclientList.size()).stream().map(l -> l.split(" ")[1]).toList();
    }

    /**
     * Deliveries into one mbx at the same time from two of our deliver loops and two of c-client's append
     * loops, while a c-client session holds the mailbox read-write (imapd) and our flag changes run: every
     * message arrives exactly once, intact, and c-client and we read the same mailbox.
     */
    @Test
    void concurrentDeliveriesFromBothSidesLoseNothing() throws Exception {
        Path dir = Peers.newDir("mbx-concurrent");
        Path box = dir.resolve("box");
        ok(Peers.mailutil("create", "#driver.mbx/" + rel(box)));
        CClientViews.deliverFromBothSides(dir, box, "mbx", 12);
    }

    @Test
    void sharedExpungesHideMessagesAndOurOpenKeepsTheFileFromBeingCompacted() throws Exception {
        Path dir = Peers.newDir("mbx-shared");
        Path src = source(dir, 5, "mbx");
        Path box = dir.resolve("box");
        ok(Peers.mailutil("copy", rel(src), "#driver.mbx/" + rel(box)));
        ok(Peers.cclientMbox("flag", box, "2", "\\Deleted"));
        long before = Files.size(box);
        // a c-client session holds it (imapd): another's expunge cannot go exclusive, so it marks message 2 0x8000
        try (Peers.Holder imapd = new Peers.Holder(Peers.cclientOpen(box, "default"), false)) {
            assertTrue(imapd.awaitOutput("read-write", 30), imapd.stderr());
            ok(Peers.cclientMbox("expunge", box));
            assertEquals(before, Files.size(box), "hidden, not compacted, while shared");
            // fEXPUNGED 0x8000 + fOLD 0x10 + fDELETED 0x2, UID 2
            assertTrue(Files.readString(box, StandardCharsets.ISO_8859_1).contains(";000000008012-00000002\r\n"),
                    "message 2 marked expunged");
            List<String> ours = ourList(box);
            assertEquals(4, ours.size(), ours.toString());
            assertEquals(List.of("1", "3", "4", "5"), ours.stream().map(l -> l.split(" ")[1]).toList());
            List<String> theirs = cclientList(box, "mbx");
            assertEquals(theirs.subList(2, theirs.size()), ours);
            // and ours, under the same c-client session, marks too (message 4, UID 4), never compacts
            ok(Peers.cclientMbox("flag", box, "3", "\\Deleted"));
            ok(Peers.run(Peers.asUser(Peers.ours("expunge", box.toString())), 60));
            assertEquals(before, Files.size(box), "hidden by our expunge, not compacted, while c-client has it");
            assertTrue(Files.readString(box, StandardCharsets.ISO_8859_1).contains(";000000008012-00000004\r\n"),
                    "message 4 marked expunged by ours");
            theirs = cclientList(box, "mbx");
            assertEquals(List.of("1", "3", "5"), ourList(box).stream().map(l -> l.split(" ")[1]).toList());
            assertEquals(theirs.subList(2, theirs.size()), ourList(box));
        }
        // our own open is a sharer too: c-client's expunge under it hides, and our next look says so
        ok(Peers.cclientMbox("flag", box, "3", "\\Deleted"));
        StoreOptions so = StoreOptions.defaults().withSession(SessionLockOptions.defaults());
        try (Mailbox m = Drivers.open(MailboxRef.of(box), false, so)) {
            int n = m.index().count();
            long size = Files.size(box);
            ok(Peers.cclientMbox("expunge", box));
            assertEquals(size, Files.size(box), "not compacted under our shared flock");
            assertThrows(MailboxChangedException.class, m::sync);
            assertEquals(n, m.index().count());
        }
        // alone again, c-client reclaims the space; we read the same two messages
        ok(Peers.cclientMbox("expunge", box));
        assertTrue(Files.size(box) < before, "compacted once alone");
        List<String> theirs = cclientList(box, "mbx");
        assertEquals(2 + 2, theirs.size(), theirs.toString());
        assertEquals(theirs.subList(2, theirs.size()), ourList(box));
    }

    @Test
    void damageIsNamedAndNothingIsWrittenIntoIt() throws Exception {
        Path dir = Peers.newDir("mbx-bad");
        Path src = source(dir, 3, "mbx");
        Path box = dir.resolve("box");
        ok(Peers.mailutil("copy", rel(src), "#driver.mbx/" + rel(box)));
        byte[] whole = Files.readAllBytes(box);
        // a message cut short: c-client refuses to open it, and so do we, naming the place
        Path cut = dir.resolve("cut");
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 40));
        Peers.chown(cut);
        assertNotEquals(0, Peers.cclientMbox("list", cut).status(), "c-client refuses it too");
        Peers.Result check = Peers.run(Peers.asUser(Peers.ours("check", cut.toString())), 60);
        assertEquals(65, check.status(), check.toString());
        assertTrue((check.out() + check.err()).contains("runs past the end of the file"), check.toString());
        // the first message's header line damaged (its ';' gone): its offset named
        String text = new String(whole, StandardCharsets.ISO_8859_1);
        int semi = text.indexOf(";", 2048);
        Path bad = dir.resolve("bad");
        Files.writeString(bad, text.substring(0, semi) + "X" + text.substring(semi + 1), StandardCharsets.ISO_8859_1);
        Peers.chown(bad);
        Peers.Result list = Peers.run(Peers.asUser(Peers.ours("list", bad.toString())), 60);
        assertEquals(65, list.status(), list.toString());
        assertTrue(list.err().contains("at offset 2048"), list.toString());
        // nothing written into a damaged file: a delivery refused, naming the place, the file unchanged
        byte[] damaged = Files.readAllBytes(cut);
        Peers.Result d = Peers.runWithInput(Peers.asUser(Peers.ours("deliver", cut.toString())), dir.resolve("msg1"), 60);
        assertNotEquals(0, d.status(), d.toString());
        assertTrue(java.util.Arrays.equals(damaged, Files.readAllBytes(cut)), "the damaged mailbox is unchanged");
    }
}
