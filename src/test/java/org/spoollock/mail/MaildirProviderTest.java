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

/** The provider's {@code maildir:} URLs, through the jakarta.mail API only. */
class MaildirProviderTest {
    @TempDir
    Path dir;

    @Test
    void aMaildirAndItsMaildirPlusPlusFolderThroughJakartaMail() throws Exception {
        Properties p = new Properties();
        p.setProperty("mail.maildir.sessiondir", dir.toString());
        p.setProperty("mail.maildir.locktimeout", "10");
        Session session = Session.getInstance(p);
        Path root = dir.resolve("Maildir");
        Folder inbox = session.getFolder(new URLName("maildir:" + root));
        assertTrue(inbox.create(Folder.HOLDS_MESSAGES));
        assertTrue(Files.isDirectory(root.resolve("cur")));
        assertEquals(Folder.HOLDS_MESSAGES | Folder.HOLDS_FOLDERS, inbox.getType());
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("alice@example.org"));
        m.setSubject("hello");
        m.setText("body\n");
        m.setFlags(new Flags("work"), true);
        inbox.appendMessages(new Message[] {m, m});
        inbox.open(Folder.READ_WRITE);
        assertEquals(2, inbox.getMessageCount());
        inbox.getMessage(1).setFlag(Flags.Flag.SEEN, true);
        long uid2 = ((UIDFolder) inbox).getUID(inbox.getMessage(2));
        inbox.close(false);

        Folder sent = inbox.getFolder("Sent");
        assertEquals(root.resolve(".Sent").toString(), sent.getFullName());
        assertTrue(sent.create(Folder.HOLDS_MESSAGES));
        assertTrue(Files.exists(root.resolve(".Sent/maildirfolder")), "a Maildir++ folder, as Dovecot marks them");
        sent.appendMessages(new Message[] {m});
        Folder[] folders = inbox.list("*");
        assertEquals(1, folders.length, java.util.Arrays.toString(folders));
        assertEquals(root.resolve(".Sent").toString(), folders[0].getFullName());

        Folder again = session.getFolder(new URLName("maildir:" + root));
        again.open(Folder.READ_ONLY);
        assertTrue(again.getMessage(1).isSet(Flags.Flag.SEEN));
        assertTrue(again.getMessage(2).getFlags().contains("work"));
        assertEquals(uid2, ((UIDFolder) again).getUID(again.getMessage(2)));
        assertEquals("hello", again.getMessage(2).getSubject());
        again.close(false);
    }
}
