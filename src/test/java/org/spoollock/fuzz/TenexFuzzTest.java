package org.spoollock.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.spoollock.store.Drivers;
import org.spoollock.store.Flags;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.tenex.TenexFormat;
import org.spoollock.store.tenex.TenexIndex;
import org.spoollock.store.tenex.TenexMailbox;

/**
 * Arbitrary bytes as a tenex file and as an mtx file, opened read-only as {@code count}, {@code list}
 * and {@code check} open them ({@link TenexMailbox#open}: session lock, flock, parse). The only
 * exception a malformed file may produce is {@link TenexIndex.BadTenexMailboxException}
 * (docs/errors.md); anything else escapes and is a finding. Beyond that:
 * <ul>
 * <li>messages tile the file exactly: message 1 at 0, each one's end the next one's start, the last
 *     one's end the file's size; UIDs 1..n; system flags within {@link Flags#ALL}; a date each;
 * <li>the stored text handed out is exactly the bytes between the header line and the message's end;
 *     its RFC822 size is the stored size for mtx, and between it and twice it for tenex (bare line
 *     ends become CRLF);
 * <li>reading new mail incrementally (open a prefix, append the rest, refresh) finds the same messages;
 * <li>a read-only open writes nothing.
 * </ul>
 */
class TenexFuzzTest {
    /** Keywords as "set keywords" in /etc/c-client.cf would configure them, so that user bits have names. */
    private static final List<String> KEYWORDS = List.of("work", "later", "$Junk", "$Forwarded");

    @FuzzTest(maxDuration = "10m")
    void tenex(byte[] data) throws IOException {
        run(TenexFormat.TENEX, data);
    }

    @FuzzTest(maxDuration = "10m")
    void mtx(byte[] data) throws IOException {
        run(TenexFormat.MTX, data);
    }

    private static TenexMailbox.Options options() {
        return TenexMailbox.Options.defaults().withSessionDirectory(Scratch.dir()).withKeywords(KEYWORDS);
    }

    private static void run(TenexFormat format, byte[] data) throws IOException {
        Path file = Scratch.write("fuzz." + format.driver(), data);
        Drivers.driverFor(MailboxRef.of(file)); // what the CLI does first; must not throw for any content
        long[] ends;
        try (TenexMailbox m = TenexMailbox.open(file, format, false, options())) {
            TenexIndex x = m.index();
            int n = x.count();
            assertEquals(data.length, x.fileSize());
            ends = new long[n + 1];
            long pos = 0;
            for (int i = 1; i <= n; i++) {
                assertEquals(pos, x.start(i), format.driver() + " message " + i + " does not start where message " + (i - 1) + " ends");
                assertEquals(i, x.uid(i));
                long stored = x.storedSize(i);
                assertTrue(stored > 0, "message " + i + " stored size " + stored);
                assertTrue(x.end(i) > x.start(i) + stored, "message " + i + " has no header line");
                assertTrue((x.flags(i) & ~Flags.ALL) == 0);
                assertNotNull(x.internalDate(i));
                assertTrue(KEYWORDS.containsAll(x.keywords(i)));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                m.writeMessage(i, out);
                int end = (int) x.end(i);
                assertArrayEquals(Arrays.copyOfRange(data, end - (int) stored, end), out.toByteArray(),
                        "message " + i + ": the text handed out is not the stored bytes");
                long size = m.size(i);
                if (format == TenexFormat.MTX) {
                    assertEquals(stored, size, "mtx message " + i + ": RFC822 size");
                } else {
                    assertTrue(size >= stored && size <= 2 * stored, "tenex message " + i + ": RFC822 size " + size
                            + " for " + stored + " stored bytes");
                }
                ends[i] = x.end(i);
                pos = x.end(i);
            }
            assertEquals(data.length, pos, format.driver() + ": messages do not reach the end of the file");
        } catch (TenexIndex.BadTenexMailboxException e) {
            assertTrue(e.getMessage().contains(file.toString()), "the error names the file: " + e.getMessage());
            return;
        } finally {
            assertArrayEquals(data, Files.readAllBytes(file), "a read-only open changed the mailbox");
        }
        int n = ends.length - 1;
        if (n >= 2) {
            // the mailbox as it was before message k arrived, then the rest appended and read as new mail
            int k = 2 + Math.floorMod(Arrays.hashCode(data), n - 1);
            int cut = (int) ends[k - 1];
            Path inc = Scratch.write("fuzz-incremental." + format.driver(), Arrays.copyOf(data, cut));
            try (TenexMailbox m = TenexMailbox.open(inc, format, false, options())) {
                assertEquals(k - 1, m.index().count());
                Files.write(inc, Arrays.copyOfRange(data, cut, data.length), StandardOpenOption.APPEND);
                assertEquals(n - (k - 1), m.refresh(), "new messages after appending at offset " + cut);
                for (int i = 1; i <= n; i++) {
                    assertEquals(ends[i], m.index().end(i), "incremental parse, message " + i + ": end");
                }
            }
        }
    }
}
