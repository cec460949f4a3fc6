package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.UIDFolder;
import jakarta.mail.URLName;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

/**
 * A program using only the jakarta.mail API (with Angus Mail) reads, flags, appends to and expunges
 * an mbox, a tenex and an mtx mailbox; c-client then reads the same messages, flags and UIDs.
 */
class JakartaMailIT {
    private static MimeMessage message(Session s, String subject) throws Exception {
        MimeMessage m = new MimeMessage(s);
        m.setFrom(new InternetAddress("jakarta@example.org"));
        m.setSubject(subject);
        m.setText("body of " + subject + "\nFrom a line\n");
        m.saveChanges();
        return m;
    }

    /** What the program saw: "msgno uid flags keywords" per message, after "uidvalidity N". */
    private static List<String> view(Folder f) throws Exception {
        List<String> out = new ArrayList<>();
        out.add("uidvalidity " + ((UIDFolder) f).getUIDValidity());
        for (int i = 1; i <= f.getMessageCount(); i++) {
            Message m = f.getMessage(i);
            Flags fl = m.getFlags();
            String flags = (fl.contains(Flags.Flag.SEEN) ? "S" : "-") + (fl.contains(Flags.Flag.ANSWERED) ? "A" : "-")
                    + (fl.contains(Flags.Flag.FLAGGED) ? "F" : "-") + (fl.contains(Flags.Flag.DELETED) ? "D" : "-")
                    + (fl.contains(Flags.Flag.DRAFT) ? "T" : "-");
            String[] keywords = fl.getUserFlags();
            out.add(i + " " + ((UIDFolder) f).getUID(m) + " " + flags + " " + (keywords.length == 0 ? "-" : String.join(",", keywords)));
        }
        return out;
    }

    /** c-client's "msgno uid flags keywords" per message, after its "uidvalidity N" line. */
    private static List<String> cclient(Path box) {
        Peers.Result r = Peers.cclientMbox("list", box);
        assertEquals(0, r.status(), r.toString());
        List<String> lines = r.out().lines().toList();
        List<String> out = new ArrayList<>();
        out.add("uidvalidity " + lines.get(0).split(" ")[1]);
        for (String l : lines.subList(2, lines.size())) {
            String[] w = l.split(" ");
            out.add(w[0] + " " + w[1] + " " + w[2] + " " + w[4]);
        }
        return out;
    }

    @Test
    void whatAJakartaProgramDoesCClientReads() throws Exception {
        for (String proto : List.of("mbox", "tenex", "mtx")) {
            Path dir = Peers.newDir("jakarta-" + proto);
            Path box = dir.resolve("box");
            Files.deleteIfExists(box);
            Session s = Session.getInstance(new Properties());
            Folder f = s.getFolder(new URLName(proto + ":" + box));
            f.create(Folder.HOLDS_MESSAGES);
            Peers.chown(box);
            f.appendMessages(new Message[] {message(s, "one"), message(s, "two"), message(s, "three"), message(s, "four")});
            f.open(Folder.READ_WRITE);
            f.getMessage(1).setFlag(Flags.Flag.SEEN, true);
            f.setFlags(new Message[] {f.getMessage(2), f.getMessage(4)}, new Flags(Flags.Flag.FLAGGED), true);
            if (proto.equals("mbox")) {
                // tenex/mtx keep only keywords configured in /etc/c-client.cf for c-client too (TenexInteropIT)
                f.getMessage(2).setFlags(new Flags("work"), true);
            }
            f.getMessage(3).setFlag(Flags.Flag.DELETED, true);
            f.getMessage(4).setFlag(Flags.Flag.ANSWERED, true);
            f.expunge();
            List<String> seen = view(f);
            assertEquals("one", f.getMessage(1).getSubject());
            assertEquals("four", f.getMessage(3).getSubject());
            f.close(false);
            List<String> expected = new ArrayList<>(List.of(seen.get(0))); // UIDVALIDITY: the program's, checked below
            // message four keeps its UID 4 after the expunge: for tenex/mtx too, which keep no UIDs in the file
            // (the open gives its own, stable while it is open, as UIDFolder requires)
            String kw = proto.equals("mbox") ? "work" : "-";
            expected.addAll(List.of("1 1 S---- -", "2 2 --F-- " + kw, "3 4 -AF-- -"));
            assertEquals(expected, seen, proto + ": the program's view");
            // c-client's keywords and flags are those the program saw; for mbox also the UIDs and UIDVALIDITY (the
            // X-IMAPbase and X-UID spoollock wrote). c-client numbers tenex/mtx messages 1..n at each open under a
            // UIDVALIDITY of its own, so there only the numbering differs
            List<String> theirs = cclient(box);
            if (proto.equals("mbox")) {
                assertEquals(expected, theirs, proto + ": c-client's view of the same file");
            } else {
                assertEquals(List.of("1 1 S---- -", "2 2 --F-- -", "3 3 -AF-- -"), theirs.subList(1, theirs.size()),
                        proto + ": c-client's view of the same file");
            }
        }
    }

    /**
     * New-mail push with real peers: an open folder hears of deliveries by c-client's mail_append, procmail
     * and Python's mailbox, and of an expunge by c-client, with no call by the application.
     */
    @Test
    void deliveriesAndAnExpungeByThePeersReachAnOpenFolderByThemselves() throws Exception {
        Path dir = Peers.newDir("jakarta-push");
        Path box = dir.resolve("box");
        Files.deleteIfExists(box);
        Session s = Session.getInstance(new Properties());
        Folder f = s.getFolder(new URLName("mbox:" + box));
        f.create(Folder.HOLDS_MESSAGES);
        Peers.chown(box);
        f.appendMessages(new Message[] {message(s, "one"), message(s, "two")});
        // UIDs into the file, as a read-write session writes them (a read-only folder then keeps them)
        f.open(Folder.READ_WRITE);
        f.getMessage(1).setFlag(Flags.Flag.SEEN, true);
        f.close(false);
        f.open(Folder.READ_ONLY);
        java.util.concurrent.LinkedBlockingQueue<jakarta.mail.event.MessageCountEvent> q =
                new java.util.concurrent.LinkedBlockingQueue<>();
        f.addMessageCountListener(new jakarta.mail.event.MessageCountListener() {
            @Override
            public void messagesAdded(jakarta.mail.event.MessageCountEvent e) {
                q.add(e);
            }

            @Override
            public void messagesRemoved(jakarta.mail.event.MessageCountEvent e) {
                q.add(e);
            }
        });
        Path msg = dir.resolve("m");
        List<String> subjects = new ArrayList<>();
        for (String peer : List.of("c-client", "procmail", "python")) {
            String subject = "from " + peer;
            Files.writeString(msg, "Message-ID: <" + peer.replace("-", "") + "@push>\nSubject: " + subject + "\n\nhello\n");
            Peers.chown(msg);
            Peers.Result r;
            if (peer.equals("c-client")) {
                r = Peers.cclientMbox("append", box, msg.toString());
            } else if (peer.equals("procmail")) {
                Path rc = dir.resolve("rc");
                Files.writeString(rc, ":0:\n$MBOX\n");
                Peers.chown(rc);
                r = Peers.runWithInput(Peers.asUser("procmail", "-f", "procmail@example.org", "-m", "MBOX=" + box,
                        rc.toString()), msg, 60);
            } else {
                r = Peers.run(Peers.asUser("python3", "-c", "import mailbox,sys; b=mailbox.mbox(sys.argv[1]); b.lock();"
                        + " b.add(open(sys.argv[2],'rb').read()); b.flush(); b.unlock()", box.toString(), msg.toString()), 60);
            }
            assertEquals(0, r.status(), peer + ": " + r);
            // c-client's append rewrites the mailbox (a checkpoint): the folder reads it anew, keeping what it had
            jakarta.mail.event.MessageCountEvent e = q.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(e != null, peer + ": no messagesAdded without a call by the application");
            assertEquals(jakarta.mail.event.MessageCountEvent.ADDED, e.getType(), peer + ": " + e);
            assertEquals(subject, e.getMessages()[e.getMessages().length - 1].getSubject(), peer);
            subjects.add(subject);
        }
        assertEquals(5, f.getMessageCount());
        Message two = f.getMessage(2);
        Message last = f.getMessage(5);
        // c-client deletes and expunges message 2
        Peers.Result r = Peers.cclientMbox("flag", box, "2", "\\Deleted");
        assertEquals(0, r.status(), r.toString());
        r = Peers.cclientMbox("expunge", box);
        assertEquals(0, r.status(), r.toString());
        jakarta.mail.event.MessageCountEvent e;
        do {
            e = q.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(e != null, "no messagesRemoved after c-client's expunge");
        } while (e.getType() != jakarta.mail.event.MessageCountEvent.REMOVED);
        assertEquals(List.of(two), List.of(e.getMessages()));
        assertEquals(4, f.getMessageCount());
        assertTrue(last == f.getMessage(4), "the last message keeps its object");
        assertEquals("from python", last.getSubject());
        f.close(false);
    }

    /**
     * Issue 18 part 6: the disk fills during appendMessages, for a closed folder and an open read-write one:
     * a MessagingException whose category is NO_SPACE, nothing of the refused message in the file, the open
     * folder still usable; c-client reads the same messages.
     */
    @Test
    void aFullDiskRefusesTheAppendWithATypedCauseAndLeavesNothing() throws Exception {
        Peers.withTmpfs("96k", dir -> {
            Properties p = new Properties();
            p.setProperty("mail.mbox.sessiondir", dir.toString());
            p.setProperty("mail.mbox.locktimeout", "10");
            Session s = Session.getInstance(p);
            Path box = dir.resolve("box");
            Folder f = s.getFolder(new URLName("mbox:" + box));
            f.create(Folder.HOLDS_MESSAGES);
            f.appendMessages(new Message[] {message(s, "small")});
            MimeMessage big = message(s, "big");
            big.setText("a line of filler text for a message too big for this disk\n".repeat(4000));
            big.saveChanges();
            byte[] before = Files.readAllBytes(box);
            jakarta.mail.MessagingException e = org.junit.jupiter.api.Assertions.assertThrows(
                    jakarta.mail.MessagingException.class, () -> f.appendMessages(new Message[] {big}));
            assertEquals(org.spoollock.store.StorageException.Category.NO_SPACE,
                    ((org.spoollock.mail.SpoolMessagingException) e).category(), e.toString());
            assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(box)), "nothing of it was left");
            f.open(Folder.READ_WRITE);
            e = org.junit.jupiter.api.Assertions.assertThrows(jakarta.mail.MessagingException.class,
                    () -> f.appendMessages(new Message[] {big}));
            assertEquals(org.spoollock.store.StorageException.Category.NO_SPACE,
                    ((org.spoollock.mail.SpoolMessagingException) e).category(), e.toString());
            assertEquals(1, f.getMessageCount());
            f.appendMessages(new Message[] {message(s, "after")});
            assertEquals(2, f.getMessageCount());
            assertEquals("after", f.getMessage(2).getSubject());
            f.close(false);
            Path copy = Peers.newDir("jakarta-full").resolve("box");
            Files.copy(box, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Peers.chown(copy);
            assertEquals(2, Peers.cclientCount(copy));
        });
    }
}
