package org.spoollock.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;

import org.spoollock.lock.MailboxLockOptions;
import org.spoollock.store.mbox.DeliveryQueue;
import org.spoollock.store.mbox.MboxAppender;
import org.spoollock.store.mbox.MboxEncoding;
import org.spoollock.store.mbox.Quoting;

// example: delivery-agent
/** A delivery agent: each message durable before the MTA is told "delivered"; threads share fsyncs. */
public final class DeliveryAgent {
    private final DeliveryQueue queue;

    public DeliveryAgent(Path mailbox) {
        // c-client's locks (dot-lock, then flock); create the mailbox if it is missing
        this.queue = DeliveryQueue.of(mailbox, MailboxLockOptions.defaults().withCreateMissing(true),
                Duration.ofSeconds(60));
    }

    /** Returns once the message is fsynced; an IOException means "try again later" (disk full, lock timeout). */
    public void deliver(byte[] rfc822, String envelopeSender) throws IOException {
        byte[] entry = MboxEncoding.format(rfc822, envelopeSender, ZonedDateTime.now(), 0, List.of(), Quoting.MBOXO);
        queue.deliver(entry);
    }

    /** Many messages for one mailbox at once: one lock, one write, one fsync. */
    public static void deliverAll(Path mailbox, List<byte[]> messages, String sender) throws IOException {
        List<byte[]> entries = messages.stream()
                .map(m -> MboxEncoding.format(m, sender, ZonedDateTime.now(), 0, List.of(), Quoting.MBOXO)).toList();
        MboxAppender.append(mailbox, entries, MailboxLockOptions.defaults().withCreateMissing(true), Duration.ofSeconds(60));
    }
}
// end
