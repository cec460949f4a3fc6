package org.spoollock.mail;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Properties;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.store.StorageException;

/**
 * Issue 18 part 6: bad input and faults through the Jakarta API: a MessagingException carrying the typed
 * cause, the folder still usable (or cleanly closed), nothing half-written.
 */
class FolderFaultsTest {
    @TempDir
    Path dir;
    Session session;
    Path box;

    @BeforeEach
    void setUp() throws Exception {
        Properties p = new Properties();
        p.setProperty("mail.mbox.sessiondir", dir.toString());
        p.setProperty("mail.mbox.locktimeout", "5");
        p.setProperty("mail.mbox.kisswait", "1");
        p.setProperty("mail.mbox.maxsize", "4000");
        session = Session.getInstance(p);
        box = dir.resolve("inbox");
        Folder f = folder();
        f.create(Folder.HOLDS_MESSAGES);
        f.appendMessages(new Message[] {raw("one", "1\n"), raw("two", "2\n"), raw("three", "3\n")});
    }

    private Folder folder() throws MessagingException {
        return session.getFolder(new URLName("mbox:" + box));
    }

    private MimeMessage raw(String subject, String body) throws MessagingException {
        return new MimeMessage(session, new java.io.ByteArrayInputStream(("Subject: " + subject + "\nMessage-ID: <" + subject
                + "@faults>\n\n" + body).getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static StorageException.Category category(MessagingException e) {
        assertInstanceOf(SpoolMessagingException.class, e, "a SpoolMessagingException with the typed cause: " + e);
        return ((SpoolMessagingException) e).category();
    }

    @Test
    void aMessageOverTheSizeLimitIsRefusedBeforeAnythingIsWritten() throws Exception {
        byte[] before = Files.readAllBytes(box);
        Message big = raw("big", "x".repeat(5000) + "\n");
        MessagingException e = assertThrows(MessagingException.class, () -> folder().appendMessages(new Message[] {big}));
        assertEquals(StorageException.Category.INVALID_INPUT, category(e));
        assertTrue(e.getMessage().contains("mail.mbox.maxsize (4000 bytes)"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(box), "nothing written");
        // in a batch, an open read-write folder: nothing of the batch is written, the folder goes on
        Folder f = folder();
        f.open(Folder.READ_WRITE);
        e = assertThrows(MessagingException.class, () -> f.appendMessages(new Message[] {raw("small", "s\n"), big}));
        assertTrue(e.getMessage().contains("message 2 of 2"), e.getMessage());
        assertEquals(3, f.getMessageCount());
        f.appendMessages(new Message[] {raw("four", "4\n")});
        assertEquals(4, f.getMessageCount());
        assertEquals("four", f.getMessage(4).getSubject());
        f.close(false);
    }

    @Test
    void badPropertiesAreReportedByName() {
        for (String[] bad : List.of(new String[] {"mail.mbox.maxsize", "lots"}, new String[] {"mail.mbox.maxsize", "0"},
                new String[] {"mail.mbox.locktimeout", "soon"}, new String[] {"mail.mbox.kissofdeath", "maybe"})) {
            Properties p = new Properties();
            p.setProperty(bad[0], bad[1]);
            MessagingException e = assertThrows(MessagingException.class,
                    () -> Session.getInstance(p).getFolder(new URLName("mbox:" + box)).exists());
            assertTrue(e.getMessage().contains(bad[0]) && e.getMessage().contains(bad[1]), e.getMessage());
        }
    }

    /** Bare CRs and NULs are stored as c-client's mail_append stores them (CR dropped, NUL as 0x80): no error. */
    @Test
    void bareCrAndNulAreStoredAsCClientStoresThem() throws Exception {
        Folder f = folder();
        f.appendMessages(new Message[] {raw("odd", "a\rb\0c\n")});
        f.open(Folder.READ_ONLY);
        assertEquals(4, f.getMessageCount());
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        f.getMessage(4).writeTo(b);
        String text = b.toString(StandardCharsets.ISO_8859_1);
        assertTrue(text.endsWith("\r\n\r\nab\u0080c\n"), text);
        f.close(false);
    }

    /** A program that ignores the locks truncates the mailbox under a read-only folder: it reads it anew. */
    @Test
    void aMailboxTruncatedUnderAReadOnlyFolderIsReadAnew() throws Exception {
        Folder f = folder();
        f.open(Folder.READ_ONLY);
        assertEquals(3, f.getMessageCount());
        Message first = f.getMessage(1);
        try (var ch = java.nio.channels.FileChannel.open(box, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        assertEquals(0, f.getMessageCount());
        assertTrue(first.isExpunged());
        f.appendMessages(new Message[] {raw("after", "a\n")});
        assertEquals(1, f.getMessageCount());
        assertEquals("after", f.getMessage(1).getSubject());
        f.close(false);
    }

    /**
     * The mailbox file replaced (renamed over, e.g. restored from a backup) under a read-write folder:
     * its flag changes must not be written into the new file at the old file's offsets. They fail with
     * a typed cause, the new file is untouched, and a new open sees the new file.
     */
    @Test
    void aMailboxReplacedUnderAReadWriteFolderIsNotWrittenAtTheOldOffsets() throws Exception {
        Folder f = folder();
        f.open(Folder.READ_WRITE);
        assertEquals(3, f.getMessageCount());
        f.getMessage(1).setFlag(Flags.Flag.SEEN, true);
        Path other = dir.resolve("restored");
        // larger than the old file, so that no size check can tell: only the file's identity can
        Files.writeString(other, "From someone@example.org Thu Dec  3 08:00:00 2026\nSubject: restored\n\n"
                + "body of the restored mailbox\n".repeat(100) + "\n");
        byte[] restored = Files.readAllBytes(other);
        Files.move(other, box, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        MessagingException e = assertThrows(MessagingException.class,
                () -> f.setFlags(new Message[] {f.getMessage(2), f.getMessage(3)}, new Flags(Flags.Flag.FLAGGED), true));
        assertTrue(List.of(StorageException.Category.CHANGED, StorageException.Category.IN_USE).contains(category(e)),
                e + " " + category(e));
        assertArrayEquals(restored, Files.readAllBytes(box), "the restored file is untouched");
        // closing would write the pending changes: it says they were not, and the folder is closed
        MessagingException onClose = assertThrows(MessagingException.class, () -> f.close(false));
        assertEquals(StorageException.Category.CHANGED, category(onClose));
        assertTrue(onClose.getMessage().contains("replaced by another file"), onClose.getMessage());
        assertTrue(!f.isOpen());
        assertArrayEquals(restored, Files.readAllBytes(box), "closing wrote nothing into the restored file");
        Folder again = folder();
        again.open(Folder.READ_ONLY);
        assertEquals(1, again.getMessageCount());
        assertEquals("restored", again.getMessage(1).getSubject());
        again.close(false);
    }

    /**
     * The idle policy (ipop3d's) counts what the application does with messages: a folder reading
     * messages keeps its mailbox when asked; once it has done nothing for the idle time, it gives it up.
     */
    @Test
    void anIdleFolderGivesItsMailboxUpAndABusyOneKeepsIt() throws Exception {
        Properties p = new Properties();
        p.setProperty("mail.mbox.sessiondir", dir.toString());
        p.setProperty("mail.mbox.kisswait", "1");
        p.setProperty("mail.mbox.kissofdeath", "idle:2");
        Session idle = Session.getInstance(p);
        Folder held = idle.getFolder(new URLName("mbox:" + box));
        held.open(Folder.READ_WRITE);
        long end = System.nanoTime() + 2_500_000_000L;
        while (System.nanoTime() < end) {
            held.getMessage(1).getSubject();   // reads the message: activity
            ((MimeMessage) held.getMessage(1)).getContentID();
            Thread.sleep(150);
            held.getMessage(2).setFlag(Flags.Flag.SEEN, true); // a change: activity too
        }
        held.getMessage(3).getSubject();
        Folder other = session.getFolder(new URLName("mbox:" + box));
        MessagingException e = assertThrows(MessagingException.class, () -> other.open(Folder.READ_WRITE));
        assertEquals(StorageException.Category.IN_USE, category(e));
        assertEquals(Folder.READ_WRITE, held.getMode(), "busy: kept");
        Thread.sleep(2_500);
        other.open(Folder.READ_WRITE);
        assertEquals(Folder.READ_ONLY, held.getMode(), "idle for 2.5 s: given up");
        other.close(false);
        held.close(false);
    }
}
