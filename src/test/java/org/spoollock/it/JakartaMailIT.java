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

    /** What the program saw: "msgno uid flags subject" per message. */
    private static List<String> view(Folder f) throws Exception {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= f.getMessageCount(); i++) {
            Message m = f.getMessage(i);
            Flags fl = m.getFlags();
            String flags = (fl.contains(Flags.Flag.SEEN) ? "S" : "-") + (fl.contains(Flags.Flag.ANSWERED) ? "A" : "-")
                    + (fl.contains(Flags.Flag.FLAGGED) ? "F" : "-") + (fl.contains(Flags.Flag.DELETED) ? "D" : "-")
                    + (fl.contains(Flags.Flag.DRAFT) ? "T" : "-");
            out.add(i + " " + ((UIDFolder) f).getUID(m) + " " + flags);
        }
        return out;
    }

    private static List<String> cclient(Path box) {
        Peers.Result r = Peers.cclientMbox("list", box);
        assertEquals(0, r.status(), r.toString());
        List<String> lines = r.out().lines().toList();
        List<String> out = new ArrayList<>();
        for (String l : lines.subList(2, lines.size())) {
            String[] w = l.split(" ");
            out.add(w[0] + " " + w[1] + " " + w[2]);
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
            f.getMessage(3).setFlag(Flags.Flag.DELETED, true);
            f.getMessage(4).setFlag(Flags.Flag.ANSWERED, true);
            f.expunge();
            List<String> seen = view(f);
            assertEquals("one", f.getMessage(1).getSubject());
            assertEquals("four", f.getMessage(3).getSubject());
            f.close(false);
            List<String> expected = proto.equals("mbox") ? List.of("1 1 S----", "2 2 --F--", "3 4 -AF--")
                    : List.of("1 1 S----", "2 2 --F--", "3 3 -AF--"); // tenex and mtx keep no UIDs: numbered at each open
            assertEquals(expected, seen, proto + ": the program's view");
            assertEquals(expected, cclient(box), proto + ": c-client's view of the same file");
        }
    }
}
