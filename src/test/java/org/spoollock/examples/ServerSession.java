package org.spoollock.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.spoollock.session.KissPolicy;
import org.spoollock.session.SessionEvent;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.Flags;
import org.spoollock.store.MailboxInUseException;
import org.spoollock.store.mbox.MboxIndex;
import org.spoollock.store.mbox.MboxMailbox;
import org.spoollock.store.mbox.Quoting;

// example: server-session
/** An IMAP/POP server's view of one mailbox: open read-write as imapd does, read, flag, expunge. */
public final class ServerSession implements AutoCloseable {
    private final MboxMailbox box;
    private volatile boolean handedOver;

    public ServerSession(Path mailbox) throws IOException {
        MboxMailbox.Options options = MboxMailbox.Options.defaults().withSession(SessionLockOptions.defaults()
                .withPolicy(KissPolicy.yieldNow())                 // c-client asks: give the mailbox up, as imapd
                .withListener((lock, event, detail) -> handedOver |= event == SessionEvent.GAVE_UP));
        // throws MailboxInUseException if another session keeps it (it did not yield within 15 s)
        this.box = MboxMailbox.openReadWrite(mailbox, options);
    }

    /** "msgno uid flags size subject-line" for each message; contents are read one message at a time. */
    public List<String> summary() throws IOException {
        box.refresh();                                                 // new mail, parsed from the tail only
        MboxIndex index = box.index();
        List<String> out = new java.util.ArrayList<>();
        for (int n = 1; n <= index.count(); n++) {
            String text = new String(box.message(n, Quoting.MBOXO), java.nio.charset.StandardCharsets.ISO_8859_1);
            String subject = text.lines().filter(l -> l.startsWith("Subject:")).findFirst().orElse("Subject:");
            out.add(n + " " + index.uid(n) + " " + Flags.letters(index.flags(n)) + " " + index.size(n) + " " + subject);
        }
        return out;
    }

    /** Marks messages read, and written at once (in place where c-client's padding allows). */
    public void markSeen(List<Integer> msgnos) throws IOException {
        if (handedOver) {
            throw new MailboxInUseException("another program took this mailbox; reopen to continue");
        }
        box.setFlags(msgnos, Flags.SEEN, 0, List.of(), List.of());
        box.checkpoint();
    }

    /** Removes \Deleted messages: same inode, journalled, so a crash leaves before or after. */
    public int expunge() throws IOException {
        return box.expunge();
    }

    @Override
    public void close() throws IOException {
        box.close();                                                   // writes what is pending, ends the session
    }
}
// end
