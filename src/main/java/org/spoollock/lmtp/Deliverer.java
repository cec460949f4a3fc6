package org.spoollock.lmtp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.List;

import org.spoollock.posix.Posix;
import org.spoollock.posix.Stat;
import org.spoollock.store.DeliveryQueue;
import org.spoollock.store.Drivers;
import org.spoollock.store.MailboxDriver;
import org.spoollock.store.NewMessage;
import org.spoollock.store.StorageErrors;
import org.spoollock.store.StorageException;

/**
 * Delivers one received message to each accepted recipient through the mailbox's {@link DeliveryQueue}
 * (group commit with every other connection delivering there), and says how each went as an LMTP
 * reply: 250 only once that copy is durable, 4xx for anything an operator or time can mend (lock
 * timeout, no space, permissions, a mailbox that is not in its format), 5xx only for the message
 * itself. Nothing partial is left in a mailbox on failure: the stores cut a failed append back.
 */
final class Deliverer {
    private final DeliveryQueue.Registry queues;
    private final LmtpConfig config;
    private final Posix posix = Posix.get();

    Deliverer(LmtpConfig config) {
        this.config = config;
        this.queues = new DeliveryQueue.Registry(true, config.store());
    }

    Reply deliver(Recipient to, String sender, ZonedDateTime arrival, byte[] content) {
        try {
            if (to.owner() != null) {
                createOwned(to);
            }
            queues.of(to.mailbox()).deliver(new NewMessage(content, 0, List.of(), arrival, sender));
            return Reply.of(250, "2.0.0", "<" + to.address() + "> delivered to " + to.mailbox().location());
        } catch (IllegalArgumentException e) {
            return Reply.of(554, "5.6.0", "<" + to.address() + "> message not delivered: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            return failure(to, e);
        }
    }

    /** The one place an exception becomes a reply. */
    static Reply failure(Recipient to, Throwable e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        StorageException.Category c = StorageErrors.categoryOf(e);
        return switch (c) {
            case NO_SPACE -> Reply.of(452, "4.2.2", "<" + to.address() + "> no space: " + why);
            case INVALID_INPUT -> Reply.of(554, "5.6.0", "<" + to.address() + "> message not delivered: " + why);
            // lock timeout, a mailbox in use or changed, permissions, a damaged mailbox, an I/O error: the
            // MTA keeps the message and retries while someone mends it; a bounce would lose it
            default -> Reply.of(451, "4.3.0", "<" + to.address() + "> try again later: " + why);
        };
    }

    /**
     * A missing mailbox for a system user, created as root: made empty, then given to the user (and
     * to the spool directory's group where the spool is group-writable, as /var/mail's mail group),
     * mode 0600, before any message goes in, so the user's own programs can open it from the start.
     */
    private void createOwned(Recipient to) throws IOException {
        Path p = to.mailbox().path();
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        MailboxDriver d = Drivers.driverFor(to.mailbox());
        try {
            d.create(to.mailbox(), config.store());
        } catch (StorageException e) {
            if (e.category() == StorageException.Category.EXISTS) {
                return; // another connection made it: that one gives it away
            }
            throw e;
        }
        Stat dir = posix.stat(p.toAbsolutePath().getParent().toString());
        boolean groupSpool = dir.gid() != 0 && (dir.mode() & 0020) != 0;
        // created 0600 and never through a symbolic link; lchown does not follow one either
        posix.lchown(p.toString(), to.owner().uid(), groupSpool ? dir.gid() : to.owner().gid());
    }
}
