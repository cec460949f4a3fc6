package org.spoollock.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.URLName;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 part 3: a large message is streamed from the mailbox (ContentStream), never held whole: a
 * 100 MB message is read through getInputStream in a JVM with -Xmx64m, and a read in progress follows the
 * message when this folder's own expunge moves it.
 */
class LargeMessageTest {
    @TempDir
    Path dir;

    /** Writes an mbox: a small message, then one whose body has {@code lines} numbered lines, then a small one. */
    static void writeMbox(Path box, int lines) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(box), 1 << 20)) {
            out.write("From a@example.org Thu Dec  3 08:00:00 2026\nSubject: small\n\nsmall one\n\n".getBytes(StandardCharsets.US_ASCII));
            out.write("From b@example.org Thu Dec  3 08:00:01 2026\nSubject: large\n\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < lines; i++) {
                out.write(String.format("%09d a line of the large message, long enough to fill 100 MB soon\n", i)
                        .getBytes(StandardCharsets.US_ASCII));
            }
            out.write("\nFrom c@example.org Thu Dec  3 08:00:02 2026\nSubject: last\n\nlast one\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** CRC-32 and length of the body lines as written (what getInputStream of the large message must give). */
    static String expected(int lines) {
        CRC32 crc = new CRC32();
        long n = 0;
        for (int i = 0; i < lines; i++) {
            byte[] l = String.format("%09d a line of the large message, long enough to fill 100 MB soon\n", i)
                    .getBytes(StandardCharsets.US_ASCII);
            crc.update(l);
            n += l.length;
        }
        return n + " " + Long.toHexString(crc.getValue());
    }

    static String readBody(InputStream in) throws IOException {
        CRC32 crc = new CRC32();
        byte[] b = new byte[1 << 16];
        long n = 0;
        for (int r; (r = in.read(b)) > 0; ) {
            crc.update(b, 0, r);
            n += r;
        }
        return n + " " + Long.toHexString(crc.getValue());
    }

    /** Run in a JVM of its own with -Xmx64m: opens MBOX read-only, prints the large message's body length and CRC. */
    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.setProperty("mail.mbox.sessiondir", args[1]);
        Folder f = Session.getInstance(p).getFolder(new URLName("mbox:" + args[0]));
        f.open(Folder.READ_ONLY);
        Message m = f.getMessage(2);
        System.out.println(m.getSubject() + " " + readBody(m.getInputStream()) + " max-heap " + Runtime.getRuntime().maxMemory());
        f.close(false);
    }

    @Test
    void aHundredMegabyteMessageIsReadWithA64MegabyteHeap() throws Exception {
        int lines = 1_600_000; // 73 bytes each: 117 MB
        Path box = dir.resolve("big");
        writeMbox(box, lines);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                LargeMessageTest.class.getName(), box.toString(), dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.startsWith("large " + expected(lines) + " max-heap "), out);
    }

    @Test
    void aStreamedReadFollowsItsMessageThroughThisFoldersOwnExpunge() throws Exception {
        int lines = 40_000; // about 3 MB: streamed
        Path box = dir.resolve("moving");
        writeMbox(box, lines);
        Properties props = new Properties();
        props.setProperty("mail.mbox.sessiondir", dir.toString());
        Folder f = Session.getInstance(props).getFolder(new URLName("mbox:" + box));
        f.open(Folder.READ_WRITE);
        Message large = f.getMessage(2);
        InputStream in = large.getInputStream();
        byte[] first = in.readNBytes(1 << 20);
        // the expunge removes message 1 and rewrites the file: the large message moves towards the start
        f.getMessage(1).setFlag(Flags.Flag.DELETED, true);
        assertEquals(1, f.expunge().length);
        assertEquals(1, large.getMessageNumber());
        CRC32 crc = new CRC32();
        crc.update(first);
        byte[] rest = in.readAllBytes();
        crc.update(rest);
        assertEquals(expected(lines), (first.length + rest.length) + " " + Long.toHexString(crc.getValue()));
        assertEquals(List.of("large", "last"), List.of(f.getMessage(1).getSubject(), f.getMessage(2).getSubject()));
        f.close(false);
    }
}
