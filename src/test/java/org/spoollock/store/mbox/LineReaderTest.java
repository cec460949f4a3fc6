package org.spoollock.store.mbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LineReader#nextFromLine}, which adds a message's text up eight bytes at a time, against what the
 * parser did before it: {@link LineReader#next} on every line and the From_ test on each. Same From_ lines
 * (position, bytes, length, CRs), same sums, same last line, for every buffer size from one byte up, so
 * that lines cross the buffer's end everywhere: at a newline, between CR and LF, inside "From ", in lines
 * longer than the buffer.
 */
class LineReaderTest {
    private static final int[] BUFFERS = {1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 23, 31, 64, 100, 4096, LineReader.CHUNK};
    private static final String FROM = "From alice@example.org Wed Dec  2 05:53:22 1992";

    @TempDir
    Path dir;

    /** Every From_ line and what came before each, read line by line, as the parser read texts until now. */
    private static String lineByLine(LineReader in) throws Exception {
        StringBuilder out = new StringBuilder();
        while (true) {
            long bytes = 0;
            long crs = 0;
            long lfs = 0;
            int last = 0;
            long end = in.position();
            Line from = null;
            while (true) {
                long at = in.position();
                Line l = in.next();
                if (l == null) {
                    break;
                }
                if (FromLine.isValid(l.buf, l.start, l.end)) {
                    from = l;
                    break;
                }
                bytes += l.length;
                crs += l.crs;
                lfs += l.endsWithNewline() ? 1 : 0;
                last = l.length == 1 && l.buf[l.start] == '\n' ? 1
                        : l.length == 2 && l.buf[l.start] == '\r' && l.buf[l.start + 1] == '\n' ? 2 : 0;
                end = at + l.length;
            }
            out.append(describe(bytes, crs, lfs, last, end, from));
            if (from == null) {
                return out.toString();
            }
        }
    }

    private static String inBulk(LineReader in) throws Exception {
        StringBuilder out = new StringBuilder();
        TextRun run = new TextRun();
        while (true) {
            Line from = in.nextFromLine(run);
            out.append(describe(run.bytes, run.crs, run.lfs, run.last, run.end, from));
            if (from == null) {
                return out.toString();
            }
        }
    }

    private static String describe(long bytes, long crs, long lfs, int last, long end, Line from) {
        String line = from == null ? "end"
                : new String(from.buf, from.start, from.end - from.start, StandardCharsets.ISO_8859_1) + " length " + from.length
                + " crs " + from.crs;
        return "text " + bytes + " bytes, " + crs + " CRs, " + lfs + " LFs, last " + last + ", to " + end + "; then " + line + "\n";
    }

    private void assertSame(byte[] data, String what) throws Exception {
        Path f = dir.resolve("mbox");
        Files.write(f, data);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            for (int from : new int[] {0, Math.min(1, data.length), data.length / 2}) {
                for (int buffer : BUFFERS) {
                    String expected = lineByLine(new LineReader(ch, from, data.length, buffer));
                    String got = inBulk(new LineReader(ch, from, data.length, buffer));
                    assertEquals(expected, got, what + ", from offset " + from + ", buffer of " + buffer + " bytes");
                }
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void textsAddUpAsLineByLine() throws Exception {
        assertSame(bytes(""), "empty");
        assertSame(bytes("\n"), "one newline");
        assertSame(bytes("\r\n"), "CR LF");
        assertSame(bytes("no newline at all"), "one unended line");
        assertSame(bytes(FROM + "\n"), "a From_ line alone");
        assertSame(bytes(FROM), "a From_ line without its newline (not VALID)");
        assertSame(bytes("text\n\n" + FROM + "\nSubject: x\n\nbody\r\n\r\n" + FROM + "\r\nmore\n"), "two messages");
        assertSame(bytes("a\nFrom x\nFrom \nFr\nF\n\nFrom me\n" + FROM + " remote from host\n"), "lines that start like From_ lines");
        assertSame(bytes("x\n" + "y".repeat(5000) + "\r\n" + FROM + "\n" + "F".repeat(3000) + "\n"), "long lines");
        assertSame(bytes("\0\0\n\0From \0\n" + FROM + "\0\n\r\r\r\n\r"), "NULs and bare CRs");
        // a newline in the same byte of 1,000 words running: the per-lane counts must not overflow
        assertSame(bytes("1234567\n".repeat(1000) + "\n" + FROM + "\n" + "123456\r\n".repeat(1000)), "a newline every 8 bytes");
    }

    @Test
    void randomTextsAddUpAsLineByLine() throws Exception {
        Random r = new Random(20261205);
        String[] pieces = {"\n", "\r\n", "\r", "F", "From ", FROM, FROM + "\n", FROM + "\r\n", "\n" + FROM + "\n", " remote from x",
                "\0", " ", ":", "a", "Subject: hello\n", "line of text\n", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"};
        for (int round = 0; round < 300; round++) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int n = r.nextInt(60);
            for (int k = 0; k < n; k++) {
                if (r.nextInt(40) == 0) {
                    b.writeBytes(bytes("z".repeat(r.nextInt(300))));
                } else {
                    b.writeBytes(bytes(pieces[r.nextInt(pieces.length)]));
                }
            }
            assertSame(b.toByteArray(), "random text " + round);
        }
    }
}
