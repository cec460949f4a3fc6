package org.spoollock.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.session.SessionLockOptions;

class DeliveryQueueTest {
    @TempDir
    Path dir;

    private static NewMessage message(String subject) {
        return NewMessage.of(("Subject: " + subject + "\n\nbody\n").getBytes(StandardCharsets.ISO_8859_1),
                ZonedDateTime.parse("2026-11-02T05:03:22-07:00"));
    }

    /**
     * A queue remembers the format of its mailbox between groups (no probe per group), and still follows
     * a mailbox that was replaced by one of another format: the remembered driver refuses the file before
     * it writes anything, and the queue appends in the format that is there now.
     */
    @Test
    void aMailboxReplacedByAnotherFormatGetsTheNextDeliveryInItsOwnFormat() throws Exception {
        Path box = dir.resolve("box");
        StoreOptions options = StoreOptions.defaults().withTimeout(Duration.ofSeconds(10))
                .withSession(SessionLockOptions.defaults().withDirectory(dir));
        MailboxRef ref = MailboxRef.of(box);
        DeliveryQueue q = new DeliveryQueue.Registry(true, options).of(ref);
        q.deliver(message("one"));
        q.deliver(message("two"));
        assertEquals("mbox", Drivers.driverFor(ref).name());
        Files.delete(box);
        // an empty tenex file is any format's (c-client takes it as mbox): one message makes it tenex
        Drivers.named("tenex").append(MailboxRef.of("tenex", box), List.of(message("tenex's own")), true, options);
        assertEquals("tenex", Drivers.driverFor(ref).name());
        q.deliver(message("three"));
        assertEquals("tenex", Drivers.driverFor(ref).name());
        try (Mailbox m = Drivers.open(ref, false, options)) {
            assertEquals(2, m.index().count());
        }
        q.deliver(message("four"));
        try (Mailbox m = Drivers.open(ref, false, options)) {
            assertEquals(3, m.index().count());
        }
    }
}
