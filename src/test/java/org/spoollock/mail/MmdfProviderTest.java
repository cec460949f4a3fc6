package org.spoollock.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;

/** The provider's {@code mmdf:} URLs, through the jakarta.mail API only: the file is mmdf, read back as such. */
class MmdfProviderTest {
    @TempDir
    Path dir;

    @Test
    void anMmdfFileThroughJakartaMail() throws Exception {
        Properties p = new Properties();
        p.setProperty("mail.mmdf.sessiondir", dir.toString());
        p.setProperty("mail.mmdf.locktimeout", "10");
        Session session = Session.getInstance(p);
        Path box = dir.resolve("box");
        Folder f = session.getFolder(new URLName("mmdf:" + box));
        assertTrue(f.create(Folder.HOLDS_MESSAGES));
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("alice@example.org"));
        m.setSubject("hello");
        m.setText("From here on\nbody\n");
        m.setFlags(new Flags("work"), true);
        f.open(Folder.READ_WRITE); // appended through the open folder: the session adds the keyword to the mailbox
        f.appendMessages(new Message[] {m, m});
        f.close(false);
        String file = Files.readString(box, StandardCharsets.ISO_8859_1);
        assertTrue(file.startsWith("\u0001\u0001\u0001\u0001\nFrom ") && file.endsWith("\n\u0001\u0001\u0001\u0001\n")
                && !file.contains(">From here on"), "an mmdf file, no From_ quoting: " + file);
        f.open(Folder.READ_WRITE);
        assertEquals(2, f.getMessageCount());
        f.getMessage(1).setFlag(Flags.Flag.SEEN, true);
        long uid2 = ((UIDFolder) f).getUID(f.getMessage(2));
        f.close(false);

        Folder again = session.getFolder(new URLName("mmdf:" + box));
        again.open(Folder.READ_ONLY);
        assertTrue(again.getMessage(1).isSet(Flags.Flag.SEEN));
        assertTrue(again.getMessage(2).getFlags().contains("work"));
        assertEquals(uid2, ((UIDFolder) again).getUID(again.getMessage(2)));
        assertEquals("hello", again.getMessage(2).getSubject());
        assertTrue(((String) again.getMessage(2).getContent()).startsWith("From here on\n"));
        again.close(false);
    }
}
