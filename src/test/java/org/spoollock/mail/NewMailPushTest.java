package org.spoollock.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.UIDFolder;
import jakarta.mail.URLName;
import jakarta.mail.event.MessageCountEvent;
import jakarta.mail.event.MessageCountListener;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.lock.MailboxLockOptions;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.Drivers;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.StoreOptions;
import org.spoollock.store.mbox.MboxAppender;
import org.spoollock.store.mbox.MboxEncoding;
import org.spoollock.store.mbox.Quoting;

/**
 * New mail and others' expunges reach an open folder's listeners with no call by the application: the
 * mailbox file is watched. (Real peers delivering: JakartaMailIT.)
 */
class NewMailPushTest {
    @TempDir
    Path dir;
    Session session;
    Path box;

    @BeforeEach
    void setUp() throws Exception {
        Properties p = new Properties();
        p.setProperty("mail.mbox.sessiondir", dir.toString());
        p.setProperty("mail.mbox.locktimeout", "10");
        session = Session.getInstance(p);
        box = dir.resolve("inbox");
        deliver("one");
    }

    /** Another program's delivery (here through the store directly, as `spoollock deliver` would). */
    private void deliver(String subject) throws Exception {
        MboxAppender.append(box, List.of(MboxEncoding.format(("Subject: " + subject + "\n\nhi\n").getBytes(),
                "x@y", ZonedDateTime.now(), 0, List.of(), Quoting.MBOXO)), MailboxLockOptions.defaults().withCreateMissing(true),
                Duration.ofSeconds(5));
    }

    /** Listener events in arrival order, with the time each came. */
    private record Seen(MessageCountEvent event, long nanos) {
    }

    private static MessageCountListener into(LinkedBlockingQueue<Seen> q) {
        return new MessageCountListener() {
            @Override
            public void messagesAdded(MessageCountEvent e) {
                q.add(new Seen(e, System.nanoTime()));
            }

            @Override
            public void messagesRemoved(MessageCountEvent e) {
                q.add(new Seen(e, System.nanoTime()));
            }
        };
    }

    @Test
    void aDeliveryByAnotherProgramReachesTheListenersOfAnOpenFolderByItself() throws Exception {
        for (int mode : new int[] {Folder.READ_ONLY, Folder.READ_WRITE}) {
            Folder f = session.getFolder(new URLName("mbox:" + box));
            f.open(mode);
            int before = f.getMessageCount();
            LinkedBlockingQueue<Seen> q = new LinkedBlockingQueue<>();
            f.addMessageCountListener(into(q));
            long t0 = System.nanoTime();
            deliver("pushed " + mode);
            Seen s = q.poll(10, TimeUnit.SECONDS);
            assertTrue(s != null, "no messagesAdded without a call by the application");
            assertEquals(MessageCountEvent.ADDED, s.event().getType());
            assertEquals(1, s.event().getMessages().length);
            assertEquals("pushed " + mode, s.event().getMessages()[0].getSubject());
            assertEquals(before + 1, s.event().getMessages()[0].getMessageNumber());
            System.out.printf("NewMailPushTest: messagesAdded %.1f ms after the delivery returned (mode %d)%n",
                    (s.nanos() - t0) / 1e6, mode);
            f.close(false);
        }
    }

    @Test
    void idleReturnsWhenMailArrivesAndAfterItsTimeoutWhenNothingDoes() throws Exception {
        SpoolFolder f = (SpoolFolder) session.getFolder(new URLName("mbox:" + box));
        f.open(Folder.READ_ONLY);
        assertFalse(f.idle(Duration.ofMillis(300)), "nothing happened");
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(200);
                deliver("during idle");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        t.start();
        assertTrue(f.idle(Duration.ofSeconds(10)), "idle returns once mail arrived");
        assertEquals(2, f.getMessageCount());
        t.join();
        f.close(false);
    }

    @Test
    void anExpungeByAnotherProgramUnderAReadOnlyFolderRemovesExactlyTheExpungedMessages() throws Exception {
        deliver("two");
        deliver("three");
        StoreOptions options = StoreOptions.defaults().withTimeout(Duration.ofSeconds(10))
                .withSession(SessionLockOptions.defaults().withDirectory(dir));
        // UIDs written into the file (X-IMAPbase, X-UID), as a read-write session of c-client or ours does
        try (Mailbox rw = Drivers.open(MailboxRef.of(box), true, options)) {
            rw.changes().setFlags(List.of(1), org.spoollock.store.Flags.SEEN, 0, List.of(), List.of()).commit();
        }
        Folder f = session.getFolder(new URLName("mbox:" + box));
        f.open(Folder.READ_ONLY);
        assertEquals(3, f.getMessageCount());
        Message two = f.getMessage(2);
        Message three = f.getMessage(3);
        long uidThree = ((UIDFolder) f).getUID(three);
        LinkedBlockingQueue<Seen> q = new LinkedBlockingQueue<>();
        f.addMessageCountListener(into(q));
        try (Mailbox rw = Drivers.open(MailboxRef.of(box), true, options)) {
            rw.changes().setFlags(List.of(2), org.spoollock.store.Flags.DELETED, 0, List.of(), List.of()).commit();
            rw.changes().expunge().commit();
        }
        Seen s = q.poll(10, TimeUnit.SECONDS);
        assertTrue(s != null, "no messagesRemoved");
        assertEquals(MessageCountEvent.REMOVED, s.event().getType());
        assertEquals(List.of(two), List.of(s.event().getMessages()));
        assertTrue(two.isExpunged());
        assertFalse(s.event().isRemoved(), "removed by another program, not by this folder's expunge");
        assertEquals(2, f.getMessageCount());
        assertSame(three, f.getMessage(2), "the third message keeps its object, renumbered");
        assertEquals(uidThree, ((UIDFolder) f).getUID(three), "and its UID");
        assertEquals("three", three.getSubject());
        assertTrue(q.poll(300, TimeUnit.MILLISECONDS) == null, "nothing else: " + q);
        f.close(false);
        assertTrue(Files.exists(box));
    }
}
