package org.spoollock.store;

import org.spoollock.posix.Faults;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.OptionalLong;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.lock.LockHolder;
import org.spoollock.posix.Posix;
import org.spoollock.session.SessionLockOptions;

/** The JFR events operators read (docs/operations.md): each is recorded, with what it says. */
class JfrEventsTest {
    @TempDir
    Path dir;

    @AfterEach
    void disarm() {
        Faults.arm("");
    }

    @Test
    void deliveriesRewritesLockWaitsBreaksAndRecoveriesAreRecorded() throws Exception {
        Path box = dir.resolve("box");
        MailboxRef ref = MailboxRef.of("mbox", box);
        StoreOptions options = StoreOptions.defaults().withTimeout(Duration.ofSeconds(10))
                .withSession(SessionLockOptions.defaults().withDirectory(dir));
        NewMessage one = NewMessage.of("Subject: one\n\nbody\n".getBytes(StandardCharsets.ISO_8859_1), ZonedDateTime.now());
        Path file = dir.resolve("rec.jfr");
        try (Recording r = new Recording()) {
            for (String e : List.of("spoollock.LockWait", "spoollock.LockBreak", "spoollock.Write", "spoollock.KissOfDeath")) {
                r.enable(e);
            }
            r.start();
            Drivers.append(ref, List.of(one, one), true, options);
            try (Mailbox m = Drivers.open(ref, true, options)) {
                m.changes().setFlags(List.of(1), Flags.SEEN, 0, List.of(), List.of()).commit();
            }
            // a delivery killed half-way, its dead holder's lock left: the next delivery breaks it and recovers
            Faults.arm("append.partial:crash");
            assertThrows(Faults.InjectedCrash.class, () -> Drivers.append(ref, List.of(NewMessage.of(
                    ("Subject: big\n\n" + "b\n".repeat(5000)).getBytes(StandardCharsets.ISO_8859_1), ZonedDateTime.now())),
                    false, options));
            Faults.arm("");
            Process gone = new ProcessBuilder("true").start();
            gone.waitFor();
            Posix posix = Posix.get();
            Files.write(Path.of(box + ".lock"), new LockHolder(LockHolder.Format.SPOOLLOCK, gone.pid(), posix.hostname(),
                    OptionalLong.empty(), posix.bootId()).render("t"));
            Drivers.append(ref, List.of(one), false, options);
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> writes = events.stream().filter(e -> e.getEventType().getName().equals("spoollock.Write")).toList();
        RecordedEvent first = writes.get(0);
        assertEquals("append", first.getString("kind"));
        assertEquals(box.toString(), first.getString("mailbox"));
        assertEquals(2, first.getInt("messages"));
        assertTrue(first.getLong("bytes") > 2 * one.content().length, first.toString());
        assertTrue(writes.stream().anyMatch(e -> e.getString("kind").equals("rewrite")), writes.toString());
        assertTrue(writes.stream().anyMatch(e -> e.getString("kind").equals("recovery")
                && e.getString("detail").contains("cut out")), writes.toString());
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("spoollock.LockBreak")
                && e.getString("reason").equals("abandoned") && e.getString("lock").equals(box + ".lock")),
                events.toString());
        List<RecordedEvent> waits = events.stream().filter(e -> e.getEventType().getName().equals("spoollock.LockWait")).toList();
        assertTrue(waits.size() >= 3, waits.toString());
        assertTrue(waits.stream().allMatch(e -> e.getString("outcome").equals("acquired") && e.getString("mailbox")
                .equals(box.toString())), waits.toString());
    }
}
