package org.spoollock.store.mbx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.store.Drivers;
import org.spoollock.store.Flags;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.NewMessage;
import org.spoollock.store.StoreOptions;

/**
 * An expunge compacts an mbx file only when the session has it alone, as c-client's mbx_expunge: with
 * another session open (ours here; c-client's in MbxInteropIT) it only marks the messages expunged
 * (0x8000), and the next session alone squeezes those out with its own.
 */
class MbxCompactionTest {
    @TempDir
    Path dir;
    private MailboxRef ref;
    private final StoreOptions options = StoreOptions.defaults();

    @BeforeEach
    void setUp() throws Exception {
        ref = MailboxRef.of("mbx", dir.resolve("box"));
        new MbxDriver().create(ref, options);
        try (Mailbox m = Drivers.open(ref, true, options)) {
            var c = m.changes();
            for (String s : List.of("one", "two", "three", "four")) {
                c.append(NewMessage.of(("Subject: " + s + "\n\nbody of " + s + "\n").getBytes(StandardCharsets.US_ASCII), java.time.ZonedDateTime.now()));
            }
            c.commit();
        }
    }

    @Test
    void aSessionAloneCompactsAndTheOthersKeepTheirUids() throws Exception {
        long before = Files.size(ref.path());
        List<Long> uids;
        try (Mailbox m = Drivers.open(ref, true, options)) {
            uids = uids(m);
            m.changes().setFlags(List.of(2), Flags.DELETED, 0, List.of(), List.of()).expunge().commit();
            assertEquals(3, m.index().count());
        }
        long after = Files.size(ref.path());
        assertTrue(after < before, "compacted: " + before + " -> " + after);
        try (Mailbox m = Drivers.open(ref, true, options)) {
            assertEquals(List.of(uids.get(0), uids.get(2), uids.get(3)), uids(m));
            assertEquals(List.of("one", "three", "four"), subjects(m));
        }
    }

    @Test
    void withAnotherSessionOpenTheExpungeOnlyMarksAndTheNextLoneOneSqueezesItOut() throws Exception {
        long before = Files.size(ref.path());
        try (Mailbox other = Drivers.open(ref, true, options); Mailbox m = Drivers.open(ref, true, options)) {
            m.changes().setFlags(List.of(2), Flags.DELETED, 0, List.of(), List.of()).expunge().commit();
            assertEquals(3, m.index().count());
            assertEquals(before, Files.size(ref.path()), "marked in place, not compacted, while another session has it");
        }
        try (Mailbox m = Drivers.open(ref, true, options)) {
            assertEquals(List.of("one", "three", "four"), subjects(m));
            m.changes().setFlags(List.of(3), Flags.DELETED, 0, List.of(), List.of()).expunge().commit();
        }
        try (Mailbox m = Drivers.open(ref, false, options)) {
            assertEquals(List.of("one", "three"), subjects(m));
        }
        String text = Files.readString(ref.path(), StandardCharsets.ISO_8859_1);
        assertTrue(!text.contains("body of two") && !text.contains("body of four"),
                "the hidden message went with the lone session's compaction");
    }

    private static List<Long> uids(Mailbox m) {
        List<Long> out = new ArrayList<>();
        for (int n = 1; n <= m.index().count(); n++) {
            out.add(m.index().uid(n));
        }
        return out;
    }

    private static List<String> subjects(Mailbox m) throws Exception {
        List<String> out = new ArrayList<>();
        for (int n = 1; n <= m.index().count(); n++) {
            String t = new String(m.content(n), StandardCharsets.ISO_8859_1);
            int i = t.indexOf("Subject: ");
            out.add(t.substring(i + 9, t.indexOf('\n', i)).strip());
        }
        return out;
    }
}
