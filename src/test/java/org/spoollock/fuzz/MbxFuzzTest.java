package org.spoollock.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.BadMailboxException;
import org.spoollock.store.Drivers;
import org.spoollock.store.Flags;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.StoreOptions;

/**
 * Arbitrary bytes after an mbx header (or, after a leading 0xFF, as the whole file) opened read-only as
 * {@code count}, {@code list} and {@code check} open them (the lock file, the shared flock, mbx_parse's
 * rules). Only {@link BadMailboxException} may escape (docs/errors.md). Beyond that: UIDs strictly
 * ascending and none above UIDNEXT; flags within {@link Flags#ALL}; keywords among the mailbox's; each
 * message's content exactly its size; new mail read incrementally (a prefix opened, the rest appended,
 * sync) gives what the whole parse gives; a read-only open writes nothing.
 */
class MbxFuzzTest {
    static final byte[] HEADER = header();

    private static byte[] header() {
        byte[] h = new byte[2048];
        byte[] t = ("*mbx*\r\n6b121c7a00000009\r\nwork\r\nlater\r\n" + "\r\n".repeat(28)).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, h, 0, t.length);
        System.arraycopy("00001234\r\n".getBytes(StandardCharsets.US_ASCII), 0, h, 2038, 10);
        return h;
    }

    private static StoreOptions options() {
        return StoreOptions.defaults().withSession(SessionLockOptions.defaults().withDirectory(Scratch.dir()))
                .withTimeout(java.time.Duration.ofSeconds(10));
    }

    @FuzzTest(maxDuration = "10m")
    void mbx(byte[] input) throws IOException {
        byte[] data = input.length > 0 && input[0] == (byte) 0xff ? Arrays.copyOfRange(input, 1, input.length)
                : concat(HEADER, input);
        Path file = Scratch.write("fuzz.mbx", data);
        Drivers.driverFor(MailboxRef.of(file)); // what the CLI does first; must not throw for any content
        MailboxRef ref = new MailboxRef("mbx", file.toString());
        List<String> whole;
        try (Mailbox m = Drivers.open(ref, false, options())) {
            whole = MailFileChecks.view(m);
        } catch (BadMailboxException e) {
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertEquals(1, Drivers.named("mbx").check(ref, options()).problems().size());
            return;
        }
        assertArrayEquals(data, Files.readAllBytes(file), "a read-only open changed the mailbox");
        var report = Drivers.named("mbx").check(ref, options());
        assertTrue(report.problems().isEmpty());
        // UIDs rebuilt (a UID out of order): mbx_parse lowers its last UID for that parse only, and a read-only
        // reparse takes the header's again (stream->uid_last = max(header, own)), so c-client itself numbers
        // the later messages differently when it reads them as new mail; compare without UIDs then
        boolean rebuilt = report.notes().stream().anyMatch(n -> n.contains("invalid UID"));
        if (rebuilt) {
            whole = withoutUids(whole);
        }
        // incremental: the file cut where a message starts (the header line's first byte), the rest appended
        int cut = cutAt(data);
        if (cut > 2048 && cut < data.length) {
            Path part = Scratch.write("fuzz-incremental.mbx", Arrays.copyOf(data, cut));
            try (Mailbox m = Drivers.open(new MailboxRef("mbx", part.toString()), false, options())) {
                Files.write(part, Arrays.copyOfRange(data, cut, data.length), StandardOpenOption.APPEND);
                m.sync();
                assertEquals(whole, rebuilt ? withoutUids(MailFileChecks.view(m)) : MailFileChecks.view(m), "incremental parse (cut at " + cut + ")");
            } catch (BadMailboxException e) {
                // the cut fell inside a message after all (a size field of another line's digits): not comparable
            }
        }
    }

    /** Each message as "uid flags keywords date size", checked against the promises on the way. */
    private static List<String> withoutUids(List<String> view) {
        return view.stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList();
    }

    /** A place after the header where a line ends and the next looks like a message's header line start. */
    private static int cutAt(byte[] data) {
        for (int i = data.length - 1; i > 2048; i--) {
            if (data[i - 1] == '\n' && i + 2 < data.length && data[i + 2] == '-' && (data[i] == ' ' || Character.isDigit(data[i]))) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
