package org.spoollock.examples;

import java.io.IOException;
import java.util.List;

import org.spoollock.session.KissPolicy;
import org.spoollock.session.SessionEvent;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.Drivers;
import org.spoollock.store.Flags;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxInUseException;
import org.spoollock.store.MessageIndex;
import org.spoollock.store.StoreOptions;

// example: server-session
/** An IMAP/POP server's view of one mailbox of any format: open read-write as imapd does, read, flag, expunge. */
public final class ServerSession implements AutoCloseable {
    private final Mailbox box;
    private volatile boolean handedOver;

    /** {@code name}: a path, or "mtx:/path" and the like to force a format (else it is read from the file). */
    public ServerSession(String name) throws IOException {
        StoreOptions options = StoreOptions.defaults().withSession(SessionLockOptions.defaults()
                .withPolicy(KissPolicy.yieldNow())                 // c-client asks: give the mailbox up, as imapd
                .withListener((lock, event, detail) -> handedOver |= event == SessionEvent.GAVE_UP));
        // throws MailboxInUseException if another session keeps it (it did not yield within 15 s)
        this.box = Drivers.open(Drivers.parse(name), true, options);
    }

    /** "msgno uid flags size subject-line" for each message; contents are read one message at a time. */
    public List<String> summary() throws IOException {
        box.sync();                                                    // new mail, parsed from the tail only
        MessageIndex index = box.index();
        List<String> out = new java.util.ArrayList<>();
        for (int n = 1; n <= index.count(); n++) {
            String text = new String(box.content(n), java.nio.charset.StandardCharsets.ISO_8859_1);
            String subject = text.lines().filter(l -> l.startsWith("Subject:")).findFirst().orElse("Subject:");
            out.add(n + " " + index.uid(n) + " " + Flags.letters(index.flags(n)) + " " + box.size(n) + " " + subject);
        }
        return out;
    }

    /** Marks messages read; durable when commit returns (mbox: in place where c-client's padding allows). */
    public void markSeen(List<Integer> msgnos) throws IOException {
        if (handedOver) {
            throw new MailboxInUseException("another program took this mailbox; reopen to continue");
        }
        box.changes().setFlags(msgnos, Flags.SEEN, 0, List.of(), List.of()).commit();
    }

    /** Removes \Deleted messages (mbox: same inode, journalled, so a crash leaves before or after). */
    public int expunge() throws IOException {
        return box.changes().expunge().commit().expunged().size();
    }

    @Override
    public void close() throws IOException {
        box.close();                                                   // writes what is pending, ends the session
    }
}
// end
