package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
