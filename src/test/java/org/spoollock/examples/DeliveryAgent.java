package org.spoollock.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;

import org.spoollock.store.DeliveryQueue;
import org.spoollock.store.Drivers;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.NewMessage;
import org.spoollock.store.StoreOptions;

// example: delivery-agent
/** A delivery agent: each message durable before the MTA is told "delivered"; threads share fsyncs. */
public final class DeliveryAgent {
    // c-client's locks for mbox (dot-lock, then flock), each format's own for the others
    private static final StoreOptions OPTIONS = StoreOptions.defaults().withTimeout(Duration.ofSeconds(60));
    // one queue per mailbox, shared by every thread of the process; true: create missing mailboxes
    private final DeliveryQueue.Registry queues = new DeliveryQueue.Registry(true, OPTIONS);

    /** Returns once the message is fsynced; an IOException means "try again later" (disk full, lock timeout). */
    public void deliver(Path mailbox, byte[] rfc822, String envelopeSender) throws IOException {
        NewMessage m = new NewMessage(rfc822, 0, List.of(), ZonedDateTime.now(), envelopeSender);
        queues.of(MailboxRef.of(mailbox)).deliver(m);
    }

    /** Many messages for one mailbox at once: one lock, one write, one fsync. */
    public static void deliverAll(Path mailbox, List<byte[]> messages, String sender) throws IOException {
        MailboxRef ref = MailboxRef.of(mailbox);
        List<NewMessage> all = messages.stream()
                .map(m -> new NewMessage(m, 0, List.of(), ZonedDateTime.now(), sender)).toList();
        Drivers.driverFor(ref).append(ref, all, true, OPTIONS);
    }
}
// end
