package org.spoollock.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.spoollock.store.BadMailboxException;
import org.spoollock.store.Drivers;
import org.spoollock.store.Flags;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxDriver;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.StoreOptions;

/**
 * Arbitrary bytes as a Maildir's {@code dovecot-uidlist} and {@code dovecot-keywords} (split at the first
 * NUL), beside three message files with flags and keyword letters, opened read-only as {@code list}
 * opens it, and checked as {@code check} does. The only exception malformed control files may produce
 * is {@link BadMailboxException} (docs/errors.md: INVALID_DATA naming the file and line); beyond that
 * every file is a message exactly once, UIDs ascending, flags within {@link Flags#ALL}, and keywords
 * only names the keywords file gives.
 */
class MaildirFuzzTest {
    private static final List<String> FILES = List.of("1700000000.M1P1.h,S=4,W=6:2,FSab", "1700000001.M2P1.h,S=4,W=6:2,",
            "1700000002.M3P1.h,S=4,W=6:2,Tz");

    @FuzzTest(maxDuration = "10m")
    void controlFiles(byte[] data) throws IOException {
        Path root = Scratch.dir().resolve("fuzz-maildir");
        if (Files.exists(root)) {
            try (var s = Files.walk(root)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        for (String d : List.of("cur", "new", "tmp")) {
            Files.createDirectories(root.resolve(d));
        }
        for (String f : FILES) {
            Files.writeString(root.resolve("cur").resolve(f), "x\ny\n");
        }
        int nul = 0;
        while (nul < data.length && data[nul] != 0) {
            nul++;
        }
        Files.write(root.resolve("dovecot-uidlist"), Arrays.copyOfRange(data, 0, nul));
        if (nul < data.length) {
            Files.write(root.resolve("dovecot-keywords"), Arrays.copyOfRange(data, nul + 1, data.length));
        }
        MailboxRef ref = MailboxRef.of(root);
        StoreOptions o = StoreOptions.defaults().withTimeout(Duration.ofSeconds(5));
        assertEquals("maildir", Drivers.driverFor(ref).name());
        MailboxDriver.CheckReport report = Drivers.driverFor(ref).check(ref, o);
        try (Mailbox m = Drivers.open(ref, false, o)) {
            assertEquals(FILES.size(), m.index().count());
            long last = 0;
            Set<String> subjects = new HashSet<>();
            for (int n = 1; n <= m.index().count(); n++) {
                assertTrue(m.index().uid(n) > last, "UIDs ascending");
                last = m.index().uid(n);
                assertTrue((m.index().flags(n) & ~Flags.ALL) == 0);
                assertTrue(m.status().keywords().containsAll(m.index().keywords(n)));
                subjects.add(new String(m.content(n)));
            }
            assertTrue(m.status().uidNext() > last);
        } catch (BadMailboxException e) {
            assertTrue(e.getMessage().startsWith(root.toString()), e.getMessage());
            assertTrue(!report.sound(), "check finds what open refuses: " + e.getMessage());
        }
    }
}
