package org.spoollock.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import jakarta.mail.URLName;
import jakarta.mail.event.MessageCountAdapter;
import jakarta.mail.event.MessageCountEvent;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.lock.MailboxLockOptions;
import org.spoollock.store.mbox.MboxAppender;
import org.spoollock.store.mbox.MboxIndex;
import org.spoollock.store.mbox.MboxEncoding;
import org.spoollock.store.mbox.Quoting;

/** The provider through the jakarta.mail API only, with Angus Mail as the implementation. */
class SpoolProviderTest {
    @TempDir
    Path dir;
    Session session;

    @BeforeEach
    void session() {
        Properties p = new Properties();
        for (String proto : List.of("mbox", "tenex", "mtx")) {
            p.setProperty("mail." + proto + ".sessiondir", dir.toString());
            p.setProperty("mail." + proto + ".locktimeout", "10");
            p.setProperty("mail." + proto + ".kisswait", "1");
        }
        p.setProperty("mail.tenex.keywords", "work,later");
        session = Session.getInstance(p);
    }

    private MimeMessage message(String subject, String body) throws MessagingException {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("alice@example.org"));
        m.setSubject(subject);
        m.setText(body);
        m.saveChanges();
        return m;
    }

    private void deliverBehindOurBack(Path box, String subject) throws Exception {
        MboxAppender.append(box, List.of(MboxEncoding.format(("Subject: " + subject + "\n\nhi\n").getBytes(),
                "x@y", ZonedDateTime.now(), 0, List.of(), Quoting.MBOXO)), MailboxLockOptions.defaults(), Duration.ofSeconds(5));
    }

    /**
     * Issue 18 part 3: a second read-write open in the same JVM asks the first (the kiss of death goes to
     * our own PID), which gives the session up, says so with a ConnectionEvent (DISCONNECTED) and is
     * READ_ONLY from then: its writes fail with InUse, the second folder's succeed.
     */
    @Test
    void aSecondReadWriteOpenInTheSameJvmTakesTheMailboxAndTheFirstIsTold() throws Exception {
        Path box = dir.resolve("inbox");
        Folder first = session.getFolder(new URLName("mbox:" + box));
        first.create(Folder.HOLDS_MESSAGES);
        first.appendMessages(new Message[] {message("one", "1"), message("two", "2")});
        first.open(Folder.READ_WRITE);
        java.util.concurrent.LinkedBlockingQueue<Integer> told = new java.util.concurrent.LinkedBlockingQueue<>();
        first.addConnectionListener(new jakarta.mail.event.ConnectionAdapter() {
            @Override
            public void disconnected(jakarta.mail.event.ConnectionEvent e) {
                told.add(e.getType());
            }
        });
        first.getMessage(1).setFlag(Flags.Flag.SEEN, true);
        assertEquals(Folder.READ_WRITE, first.getMode());

        Folder second = session.getFolder(new URLName("mbox:" + box));
        second.open(Folder.READ_WRITE);
        assertEquals(Folder.READ_WRITE, second.getMode());
        assertEquals(jakarta.mail.event.ConnectionEvent.DISCONNECTED, told.poll(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(Folder.READ_ONLY, first.getMode());
        assertTrue(first.isOpen(), "the first folder stays open, read-only");
        MessagingException e = assertThrows(MessagingException.class, () -> first.getMessage(2).setFlag(Flags.Flag.FLAGGED, true));
        assertInstanceOf(SpoolMessagingException.InUse.class, e, e.toString());
        assertTrue(second.getMessage(1).isSet(Flags.Flag.SEEN), "the first folder's flag was written before it gave up");
        second.getMessage(2).setFlag(Flags.Flag.FLAGGED, true);
        second.close(false);
        first.close(false);
        Folder check = session.getFolder(new URLName("mbox:" + box));
        check.open(Folder.READ_ONLY);
        assertTrue(check.getMessage(2).isSet(Flags.Flag.FLAGGED));
        assertEquals(Folder.READ_ONLY, check.getMode());
        check.close(false);
        assertTrue(told.isEmpty(), "told once: " + told);
    }

    /**
     * Message objects are made when asked for (MessageTable): the same object for the same message while
     * open, renumbered by an expunge whether or not its neighbours were ever made; a read-only folder
     * rereading a mailbox another program expunged reports the messages gone, made or not.
     */
    @Test
    void messagesMadeOnDemandKeepTheirIdentityThroughExpunges() throws Exception {
        Path box = dir.resolve("lazy");
        Folder f = session.getFolder(new URLName("mbox:" + box));
        f.create(Folder.HOLDS_MESSAGES);
        Message[] ten = new Message[10];
        for (int i = 0; i < 10; i++) {
            ten[i] = message("m" + (i + 1), "body " + (i + 1));
        }
        f.appendMessages(ten);
        f.open(Folder.READ_WRITE);
        Message three = f.getMessage(3);
        Message seven = f.getMessage(7);
        assertTrue(three == f.getMessage(3), "the same object");
        f.setFlags(new int[] {2, 5, 9}, new Flags(Flags.Flag.DELETED), true);
        Message[] gone = f.expunge();
        assertEquals(List.of(2, 5, 9), java.util.Arrays.stream(gone).map(Message::getMessageNumber).toList());
        assertTrue(java.util.Arrays.stream(gone).allMatch(Message::isExpunged));
        assertEquals(7, f.getMessageCount());
        assertEquals(2, three.getMessageNumber());
        assertEquals(5, seven.getMessageNumber());
        assertTrue(three == f.getMessage(2) && seven == f.getMessage(5));
        assertEquals("m10", f.getMessage(7).getSubject());
        assertEquals("m4", f.getMessage(3).getSubject());
        f.close(false);

        Folder ro = session.getFolder(new URLName("mbox:" + box));
        ro.open(Folder.READ_ONLY);
        Message first = ro.getMessage(1);
        java.util.concurrent.LinkedBlockingQueue<MessageCountEvent> events = new java.util.concurrent.LinkedBlockingQueue<>();
        ro.addMessageCountListener(new MessageCountAdapter() {
            @Override
            public void messagesRemoved(MessageCountEvent e) {
                events.add(e);
            }
        });
        Folder rw = session.getFolder(new URLName("mbox:" + box));
        rw.open(Folder.READ_WRITE);
        rw.setFlags(new int[] {3, 6}, new Flags(Flags.Flag.DELETED), true);
        rw.expunge();
        rw.close(false);
        assertEquals(5, ro.getMessageCount());
        MessageCountEvent e = events.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(e != null, "messagesRemoved for messages this folder never made");
        assertEquals(List.of(3, 6), java.util.Arrays.stream(e.getMessages()).map(Message::getMessageNumber).sorted().toList());
        assertTrue(first == ro.getMessage(1), "a message the program holds keeps its object");
        assertEquals("m6", ro.getMessage(3).getSubject());
        ro.close(false);
    }

    @Test
    void providersAreFoundTheWayAngusMailFindsThem() throws Exception {
        for (String proto : List.of("mbox", "tenex", "mtx")) {
            assertEquals("spoollock", session.getProvider(proto).getVendor(), proto);
            Store s = session.getStore(proto);
            assertInstanceOf(SpoolStore.class, s);
        }
    }

    @Test
    void anMboxThroughTheStandardApi() throws Exception {
        Path box = dir.resolve("inbox");
        Folder f = session.getFolder(new URLName("mbox:" + box));
        assertFalse(f.exists());
        assertTrue(f.create(Folder.HOLDS_MESSAGES));
        f.appendMessages(new Message[] {message("one", "first\nFrom a body line\n"), message("two", "second"),
            message("three", "third")});
        f.open(Folder.READ_WRITE);
        UIDFolder uf = (UIDFolder) f;
        assertEquals(3, f.getMessageCount());
        Message m1 = f.getMessage(1);
        assertEquals("one", m1.getSubject());
        assertTrue(m1.getContent().toString().contains(">From a body line"), "c-client's quoting is what readers see");
        assertTrue(m1.getSize() > 0);
        long validity = uf.getUIDValidity();
        assertEquals(1, uf.getUID(m1));
        assertEquals(4, uf.getUIDNext());
        assertEquals("two", uf.getMessageByUID(2).getSubject());
        // flags, one message and several
        m1.setFlag(Flags.Flag.SEEN, true);
        f.setFlags(new Message[] {f.getMessage(2), f.getMessage(3)}, new Flags("work"), true);
        f.getMessage(3).setFlag(Flags.Flag.DELETED, true);
        assertTrue(f.getMessage(2).getFlags().contains("work"));
        // new mail from another program shows through getMessageCount and the listeners
        AtomicInteger added = new AtomicInteger();
        f.addMessageCountListener(new MessageCountAdapter() {
            @Override
            public void messagesAdded(MessageCountEvent e) {
                added.addAndGet(e.getMessages().length);
            }
        });
        deliverBehindOurBack(box, "four");
        assertEquals(4, f.getMessageCount());
        Thread.sleep(200); // listeners run on Jakarta Mail's event thread
        assertEquals(1, added.get());
        Message[] gone = f.expunge();
        assertEquals(1, gone.length);
        assertEquals(3, f.getMessageCount());
        assertEquals("four", f.getMessage(3).getSubject());
        f.close(false);
        // what is on disk, read back by spoollock's own parser: flags, keywords, UIDs. A consistency check
        // of the provider with the store; c-client reads a provider-written mailbox in JakartaMailIT
        MboxIndex i = MboxIndex.scan(box);
        assertEquals(3, i.count());
        assertEquals(validity, i.uidValidity());
        assertEquals(List.of(1L, 2L, 4L), List.of(i.uid(1), i.uid(2), i.uid(3)));
        assertEquals(org.spoollock.store.Flags.SEEN, i.flags(1));
        assertEquals(List.of("work"), i.keywords(2));
    }

    @Test
    void aTenexMailboxByStoreAndFolderName() throws Exception {
        Path box = dir.resolve("box.tenex");
        Files.createFile(box);
        Store store = session.getStore("tenex");
        store.connect();
        Folder f = store.getFolder(box.toString());
        f.appendMessages(new Message[] {message("a", "1"), message("b", "2")});
        f.open(Folder.READ_WRITE);
        assertEquals(2, f.getMessageCount());
        f.getMessage(2).setFlags(new Flags("later"), true);
        f.getMessage(1).setFlag(Flags.Flag.DELETED, true);
        assertThrows(MessagingException.class, () -> f.getMessage(2).setFlags(new Flags("unconfigured"), true));
        f.close(true); // expunge on close
        f.open(Folder.READ_ONLY);
        assertEquals(1, f.getMessageCount());
        assertEquals("b", f.getMessage(1).getSubject());
        assertTrue(f.getMessage(1).getFlags().contains("later"));
        assertThrows(jakarta.mail.ReadOnlyFolderException.class, () -> f.getMessage(1).setFlag(Flags.Flag.SEEN, true));
        f.close(false);
        store.close();
        // a store made from a URL: its default folder is the mailbox's directory, listing its files
        Store byUrl = session.getStore(new URLName("tenex:" + box));
        Folder root = byUrl.getDefaultFolder();
        assertEquals(Folder.HOLDS_FOLDERS, root.getType());
        assertEquals(List.of("box.tenex"), java.util.Arrays.stream(root.list("*.tenex")).map(Folder::getName).toList());
    }

    @Test
    void errorsAreMessagingExceptionsCarryingTheTypedCause() throws Exception {
        Path junk = dir.resolve("junk");
        Files.writeString(junk, "not a mailbox\n");
        Folder f = session.getFolder(new URLName("mbox:" + junk));
        SpoolMessagingException e = assertThrows(SpoolMessagingException.class, () -> f.open(Folder.READ_ONLY));
        assertInstanceOf(MboxIndex.NotAnMboxException.class, e.ioException());
        assertTrue(e.getMessage().contains(junk.toString()), e.getMessage());
        assertThrows(jakarta.mail.FolderNotFoundException.class,
                () -> session.getFolder(new URLName("mbox:" + dir.resolve("missing"))).open(Folder.READ_ONLY));
    }

    /** A keyword with a space, CR or LF would split X-Keywords or inject a header line: refused, nothing written. */
    @Test
    void badKeywordsAreRefusedThroughSetFlagsAndAppend() throws Exception {
        for (String proto : List.of("mbox", "tenex")) {
            Path box = dir.resolve("bad-" + proto);
            Files.createFile(box);
            Folder f = session.getFolder(new URLName(proto + ":" + box));
            f.appendMessages(new Message[] {message("a", "1")});
            f.open(Folder.READ_WRITE); // what a read-write session writes by itself (mbox: UIDs; tenex: the old flag)
            f.close(false);
            for (String bad : List.of("two words", "crlf\r\nX-Injected: yes", "lf\nStatus: RO")) {
                MimeMessage withBad = message("b", "2");
                withBad.setFlags(new Flags(bad), true);
                byte[] before = Files.readAllBytes(box);
                assertThrows(MessagingException.class, () -> f.appendMessages(new Message[] {withBad}), proto + " append " + bad);
                f.open(Folder.READ_WRITE);
                assertThrows(MessagingException.class, () -> f.getMessage(1).setFlags(new Flags(bad), true),
                        proto + " setFlags " + bad);
                f.close(false);
                if (proto.equals("mbox")) {
                    assertEquals(new String(before, java.nio.charset.StandardCharsets.ISO_8859_1),
                            Files.readString(box, java.nio.charset.StandardCharsets.ISO_8859_1), proto + " " + bad);
                }
                assertFalse(Files.readString(box, java.nio.charset.StandardCharsets.ISO_8859_1).contains("X-Injected"));
            }
        }
    }

    /** UIDFolder's contract: a UID names the same message for as long as UIDVALIDITY stays; UIDNEXT never goes back. */
    @Test
    void tenexUidsSurviveAnExpungeUnderTheSameUidValidity() throws Exception {
        for (String proto : List.of("tenex", "mtx")) {
            Path box = dir.resolve("uids." + proto);
            Files.createFile(box);
            Folder f = session.getFolder(new URLName(proto + ":" + box));
            f.appendMessages(new Message[] {message("a", "1"), message("b", "2"), message("c", "3")});
            f.open(Folder.READ_WRITE);
            UIDFolder u = (UIDFolder) f;
            long validity = u.getUIDValidity();
            long uidC = u.getUID(f.getMessage(3));
            long next = u.getUIDNext();
            f.getMessage(1).setFlag(Flags.Flag.DELETED, true);
            f.expunge();
            assertEquals(validity, u.getUIDValidity(), proto);
            assertEquals("c", f.getMessage(2).getSubject());
            assertEquals(uidC, u.getUID(f.getMessage(2)), proto + ": message c's UID changed under the same UIDVALIDITY");
            assertEquals("c", u.getMessageByUID(uidC).getSubject());
            assertTrue(u.getUIDNext() >= next, proto + ": UIDNEXT went back from " + next + " to " + u.getUIDNext());
            f.close(false);
        }
    }
}
