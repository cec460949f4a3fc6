package org.spoollock.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.BadMailboxException;
import org.spoollock.store.Drivers;
import org.spoollock.store.Flags;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.StorageException;
import org.spoollock.store.StoreOptions;

/**
 * Arbitrary bytes as a mix mailbox: the input, split at 0xFE bytes, is {@code .mixmeta}, {@code .mixindex},
 * {@code .mixstatus} and the data (written under every data file number the index names, up to four, and
 * under the metadata's newest file). Opened read-only as {@code list} and {@code check} open it (c-client's
 * shared flocks, mix_parse's rules): only {@link BadMailboxException} may escape (docs/errors.md). Beyond
 * that: UIDs strictly ascending and none above the last; flags within {@link Flags#ALL}; keywords among the
 * mailbox's; each message's content exactly its size; {@code check} agrees; a read-only open writes nothing.
 * Then a read-write open (which marks the messages seen, through the rewrite journal) and a read-only one
 * after it must give the same messages: what our writer writes, our reader reads back as it was.
 */
class MixFuzzTest {
    private static final Pattern FILE_NUMBER = Pattern.compile("(?m)^:[0-9a-fA-F]+:[0-9+-]{19}:[0-9a-fA-F]+:([0-9a-fA-F]{1,8}):");
    private static final Pattern NEWEST = Pattern.compile("(?m)^N([0-9a-fA-F]{1,8})\r$");

    private static StoreOptions options() {
        return StoreOptions.defaults().withSession(SessionLockOptions.defaults().withDirectory(Scratch.dir()))
                .withTimeout(java.time.Duration.ofSeconds(10));
    }

    @FuzzTest(maxDuration = "10m")
    void mix(byte[] input) throws IOException {
        Path dir = mailbox(input);
        MailboxRef ref = new MailboxRef("mix", dir.toString());
        Drivers.driverFor(MailboxRef.of(dir)); // what the CLI does first; must not throw for any content
        List<String> whole;
        List<String> before = snapshot(dir);
        try (Mailbox m = Drivers.open(ref, false, options())) {
            whole = MailFileChecks.view(m);
        } catch (BadMailboxException e) {
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertEquals(1, Drivers.named("mix").check(ref, options()).problems().size());
            assertEquals(before, snapshot(dir), "a refused open changed the mailbox");
            return;
        }
        assertEquals(before, snapshot(dir), "a read-only open changed the mailbox");
        assertTrue(Drivers.named("mix").check(ref, options()).problems().isEmpty());
        try (Mailbox m = Drivers.open(ref, true, options())) {
            assertEquals(whole, MailFileChecks.view(m), "a read-write open reads what a read-only one does");
        } catch (StorageException e) {
            // a sequence our writer cannot raise (already at its largest value), a file it may not write: refused
            // with the reason before anything changed
            assertEquals(before, snapshot(dir), "a refused read-write open changed the mailbox: " + e);
            return;
        }
        try (Mailbox m = Drivers.open(ref, false, options())) {
            assertEquals(whole, MailFileChecks.view(m), "read back after our writer rewrote the control files");
        }
    }

    /** The mailbox the input describes, in a fresh directory. */
    private static Path mailbox(byte[] input) throws IOException {
        List<byte[]> parts = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= input.length && parts.size() < 3; i++) {
            if (i == input.length || input[i] == (byte) 0xfe) {
                parts.add(Arrays.copyOfRange(input, from, i));
                from = i + 1;
            }
        }
        byte[] data = from <= input.length ? Arrays.copyOfRange(input, Math.min(from, input.length), input.length) : new byte[0];
        while (parts.size() < 3) {
            parts.add(new byte[0]);
        }
        Path dir = Scratch.dir().resolve("box.mix");
        if (Files.exists(dir)) {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
        } else {
            Files.createDirectory(dir);
        }
        Files.write(dir.resolve(".mixmeta"), parts.get(0));
        Files.write(dir.resolve(".mixindex"), parts.get(1));
        Files.write(dir.resolve(".mixstatus"), parts.get(2));
        Set<Long> files = new LinkedHashSet<>();
        Matcher n = NEWEST.matcher(new String(parts.get(0), StandardCharsets.ISO_8859_1));
        if (n.find()) {
            files.add(Long.parseLong(n.group(1), 16));
        }
        Matcher f = FILE_NUMBER.matcher(new String(parts.get(1), StandardCharsets.ISO_8859_1));
        while (f.find() && files.size() < 4) {
            files.add(Long.parseLong(f.group(1), 16));
        }
        for (long file : files) {
            Files.write(dir.resolve(file == 0 ? ".mix" : String.format(".mix%08x", file)), data);
        }
        return dir;
    }

    /** Each message as "uid flags keywords date size", checked against the promises on the way. */
    /** Every file's name and bytes. */
    private static List<String> snapshot(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                out.add(p.getFileName() + " " + Arrays.hashCode(Files.readAllBytes(p)));
            }
        }
        return out;
    }
}
