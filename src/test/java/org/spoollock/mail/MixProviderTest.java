package org.spoollock.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/**
 * The provider's {@code mix:} URLs, through the jakarta.mail API only: a mix directory created, appended to,
 * flagged, expunged and read back.
 */
class MixProviderTest {
    @TempDir
    Path dir;

    @Test
    void aMixMailboxThroughJakartaMail() throws Exception {
        Properties p = new Properties();
        p.setProperty("mail.mix.sessiondir", dir.toString());
        p.setProperty("mail.mix.locktimeout", "10");
        Session session = Session.getInstance(p);
        Path box = dir.resolve("box");
        Folder f = session.getFolder(new URLName("mix:" + box));
        assertTrue(f.create(Folder.HOLDS_MESSAGES));
        assertTrue(Files.isRegularFile(box.resolve(".mixmeta")), "a mix directory");
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("alice@example.org"));
        m.setSubject("hello");
        m.setText("From here on\nbody\n");
        m.setFlags(new Flags("work"), true);
        f.open(Folder.READ_WRITE);
        f.appendMessages(new Message[] {m, m, m});
        assertEquals(3, f.getMessageCount());
        f.getMessage(1).setFlag(Flags.Flag.SEEN, true);
        f.getMessage(2).setFlag(Flags.Flag.DELETED, true);
        long uid3 = ((UIDFolder) f).getUID(f.getMessage(3));
        f.close(true); // expunge on close

        Folder again = session.getFolder(new URLName("mix:" + box));
        again.open(Folder.READ_ONLY);
        assertEquals(2, again.getMessageCount());
        assertTrue(again.getMessage(1).isSet(Flags.Flag.SEEN));
        assertTrue(again.getMessage(2).getFlags().contains("work"));
        assertEquals(uid3, ((UIDFolder) again).getUID(again.getMessage(2)));
        assertEquals("hello", again.getMessage(2).getSubject());
        assertTrue(((String) again.getMessage(2).getContent()).startsWith("From here on\r\n"));
        again.close(false);
    }
}
