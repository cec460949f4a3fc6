package org.spoollock.store.mix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZonedDateTime;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.store.Drivers;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.NewMessage;
import org.spoollock.store.StoreOptions;

/** Which data file a delivery goes to, as mix_data_open chooses it, and with what mode. */
class MixDataFileTest {
    @TempDir
    Path dir;
    private final StoreOptions options = StoreOptions.defaults();
    private static final ZonedDateTime DATE = ZonedDateTime.parse("2026-12-04T10:00:00Z");

    private List<Path> dataFiles(Path box) throws Exception {
        try (var s = Files.list(box)) {
            return s.filter(p -> p.getFileName().toString().matches("\\.mix[0-9a-f]{8}")).sorted().toList();
        }
    }

    private static NewMessage message(String subject, int bodyBytes) {
        return NewMessage.of(("Subject: " + subject + "\n\n" + "x".repeat(bodyBytes) + "\n").getBytes(StandardCharsets.US_ASCII),
                DATE);
    }

    @Test
    void aDeliveryThatWouldTakeTheFilePastOneMebibyteRollsToANewFileOfTheSameMode() throws Exception {
        Path box = dir.resolve("box");
        MailboxRef ref = MailboxRef.of("mix", box);
        new MixDriver().create(ref, options);
        Path first = dataFiles(box).get(0);
        Files.setPosixFilePermissions(first, PosixFilePermissions.fromString("rw-rw----"));
        new MixDriver().append(ref, List.of(message("big", 1_000_000)), false, options);
        new MixDriver().append(ref, List.of(message("small", 100_000)), false, options);
        List<Path> files = dataFiles(box);
        assertEquals(2, files.size(), files.toString());
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(1))));
        try (Mailbox m = Drivers.open(ref, false, options)) {
            assertEquals(2, m.index().count());
            assertTrue(new String(m.content(2), StandardCharsets.US_ASCII).startsWith("Subject: small\r\n"));
        }
    }

    /** The newest data file gone (as c-client's burp can leave it): made again, private. */
    @Test
    void aMissingNewestDataFileIsMadeAgainPrivate() throws Exception {
        Path box = dir.resolve("box");
        MailboxRef ref = MailboxRef.of("mix", box);
        new MixDriver().create(ref, options);
        Path first = dataFiles(box).get(0);
        Files.delete(first);
        new MixDriver().append(ref, List.of(message("after", 10)), false, options);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first)));
        try (Mailbox m = Drivers.open(ref, false, options)) {
            assertEquals(1, m.index().count());
        }
    }
}
