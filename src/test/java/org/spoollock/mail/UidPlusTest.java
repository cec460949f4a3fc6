package org.spoollock.mail;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** UIDPLUS through the provider: the UIDs APPEND and COPY gave; COPY between spoollock folders as stored. */
class UidPlusTest {
    @TempDir
    Path dir;
    Session session;

    @BeforeEach
    void setUp() {
        Properties p = new Properties();
        for (String proto : new String[] {"mbox", "tenex", "mtx"}) {
            p.setProperty("mail." + proto + ".sessiondir", dir.toString());
            p.setProperty("mail." + proto + ".locktimeout", "10");
        }
        p.setProperty("mail.tenex.keywords", "work,later");
        session = Session.getInstance(p);
    }

    private MimeMessage message(String subject) throws Exception {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("alice@example.org"));
        m.setSubject(subject);
        m.setText("body of " + subject + "\nFrom a line\n");
        m.saveChanges();
        return m;
    }

    @Test
    void appendUidMessagesGivesTheUidsOfAnOpenReadWriteFolderAndNullsOtherwise() throws Exception {
        SpoolFolder f = (SpoolFolder) session.getFolder(new URLName("mbox:" + dir.resolve("inbox")));
        f.create(Folder.HOLDS_MESSAGES);
        UidPlusFolder.AppendedUid[] closed = f.appendUIDMessages(new Message[] {message("closed")});
        assertEquals(1, closed.length);
        assertNull(closed[0], "no session, no UID (the message is delivered all the same)");
        f.open(Folder.READ_WRITE);
        assertEquals(1, f.getMessageCount());
        long next = f.getUIDNext();
        UidPlusFolder.AppendedUid[] given = f.appendUIDMessages(new Message[] {message("two"), message("three")});
        assertEquals(2, given.length);
        assertEquals(f.getUIDValidity(), given[0].uidValidity());
        assertEquals(next, given[0].uid());
        assertEquals(next + 1, given[1].uid());
        assertEquals("two", f.getMessageByUID(given[0].uid()).getSubject());
        assertEquals("three", f.getMessageByUID(given[1].uid()).getSubject());
        assertEquals(3, f.getMessageCount(), "the folder shows them");
        f.close(false);
        // the UIDs stay: the session wrote them at close (X-UID), a new session sees the same
        f.open(Folder.READ_ONLY);
        assertEquals("three", f.getMessageByUID(given[1].uid()).getSubject());
        f.close(false);
    }

    @Test
    void copyBetweenSpoollockFoldersKeepsTheStoredBytesFlagsKeywordsAndDate() throws Exception {
        SpoolFolder from = (SpoolFolder) session.getFolder(new URLName("mbox:" + dir.resolve("from")));
        from.create(Folder.HOLDS_MESSAGES);
        from.appendMessages(new Message[] {message("one"), message("two")});
        from.open(Folder.READ_WRITE);
        Message one = from.getMessage(1);
        one.setFlags(new Flags(Flags.Flag.FLAGGED), true);
        one.setFlags(new Flags("work"), true);
        SpoolFolder to = (SpoolFolder) session.getFolder(new URLName("tenex:" + dir.resolve("to")));
        to.create(Folder.HOLDS_MESSAGES);
        to.open(Folder.READ_WRITE);
        UidPlusFolder.AppendedUid[] given = from.copyUIDMessages(new Message[] {one}, to);
        assertEquals(1, given.length);
        Message copy = ((UIDFolder) to).getMessageByUID(given[0].uid());
        assertEquals("one", copy.getSubject());
        assertArrayEquals(from.content((SpoolMessage) one), to.content((SpoolMessage) copy), "the stored bytes, not re-encoded");
        assertTrue(copy.isSet(Flags.Flag.FLAGGED));
        assertTrue(copy.getFlags().contains("work"));
        assertEquals(one.getReceivedDate().getTime() / 1000, copy.getReceivedDate().getTime() / 1000);
        // Folder.copyMessages goes the same way
        from.copyMessages(new Message[] {from.getMessage(2)}, to);
        assertEquals(2, to.getMessageCount());
        assertArrayEquals(from.content((SpoolMessage) from.getMessage(2)), to.content((SpoolMessage) to.getMessage(2)));
        to.close(false);
        from.close(false);
    }
}
