package org.spoollock.store.mbox;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Arrays;

import org.spoollock.store.ByteScan;

/**
 * Lines of a file region through one fixed buffer (positional reads, so the channel's position is
 * left alone). Lines up to {@link #MAX_LINE} come whole; longer ones (binary junk) keep their first
 * bytes and their last {@link #TAIL} bytes, which is all c-client's From_ test looks at.
 */
final class LineReader {
    static final int CHUNK = 1 << 20;
    static final int MAX_LINE = 1 << 20;
    static final int TAIL = 64 << 10;
    private static final int HEAD = 256;

    private final FileChannel ch;
    private final long end;
    private final ByteBuffer bb;
    private final byte[] chunk;
    private int pos;
    private int limit;
    private long chunkOffset;
    private boolean eof;
    private byte[] big = new byte[0];
    private final Line line = new Line();

    /** Reads {@code [from, to)} of the channel. */
    LineReader(FileChannel ch, long from, long to) {
        this(ch, from, to, CHUNK);
    }

    /**
     * Reads {@code [from, to)} of the channel through a buffer of at most {@code chunkBytes}: a parallel
     * scan's search for a boundary needs a few KB, the tests a few bytes.
     */
    LineReader(FileChannel ch, long from, long to, int chunkBytes) {
        // no bigger than the range: a small mailbox, or a parallel scan's small part, reads no more for it
        this(ch, from, to, new byte[(int) Math.max(1, Math.min(chunkBytes, to - from))]);
    }

    /**
     * Reads {@code [from, to)} of the channel through {@code buffer} (at most its first {@link #CHUNK} bytes),
     * which the caller may hand to the next reader once done with this one: a parallel scan's thread reads
     * its parts in turn through one buffer rather than zeroing a new megabyte of heap for each.
     */
    LineReader(FileChannel ch, long from, long to, byte[] buffer) {
        this.ch = ch;
        this.chunkOffset = from;
        this.end = to;
        this.bb = ByteBuffer.wrap(buffer, 0, (int) Math.max(1, Math.min(Math.min(CHUNK, buffer.length), to - from))).slice();
        this.chunk = buffer;
    }

    long position() {
        return chunkOffset + pos;
    }

    /**
     * Goes back to {@code position} (within the range): the next {@link #next} reads from there. For
     * c-client's mmdf reader, which backs up over a delimiter it read as part of a longer line.
     */
    void seek(long position) {
        chunkOffset = position;
        limit = 0;
        pos = 0;
        eof = false;
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        chunkOffset += limit;
        bb.clear();
        long want = Math.min(bb.capacity(), end - chunkOffset);
        if (want <= 0) {
            return stop();
        }
        bb.limit((int) want);
        int n;
        do {
            n = ch.read(bb, chunkOffset + bb.position());
        } while (n == 0 && bb.hasRemaining());
        if (bb.position() == 0) {
            return stop();
        }
        limit = bb.position();
        pos = 0;
        return true;
    }

    private int indent;

    private boolean stop() {
        eof = true;
        limit = 0;
        pos = 0;
        return false;
    }

    /**
     * Skips blank lines (newlines, and lines of only CRs, spaces and tabs), as c-client does before the
     * first From_ line; false at the end. Blanks before a non-blank byte on the same line are not skipped
     * away: that line starts where they do ({@link #indent} tells how many there were), and c-client's
     * unix driver does not take a file whose From_ line is indented as a mailbox (it opens it with its
     * "phile" driver, as one message: found by the fuzz corpus replayed through c-client).
     */
    boolean skipBlank() throws IOException {
        indent = 0;
        while (true) {
            while (pos < limit) {
                byte c = chunk[pos];
                if (c == '\n') {
                    indent = 0;
                } else if (c == '\r' || c == ' ' || c == '\t') {
                    indent++;
                } else {
                    return true;
                }
                pos++;
            }
            if (!fill()) {
                return false;
            }
        }
    }

    /** After {@link #skipBlank} found a line: the blank bytes it skipped at that line's start. */
    int indent() {
        return indent;
    }

    /** The next line, or null at the end. Valid until the next call. */
    Line next() throws IOException {
        if (pos >= limit && !fill()) {
            return null;
        }
        int crs = 0;
        // eight bytes at a time to the next LF or CR: the parse of a whole mailbox spends most of its
        // time here, and a copy parses first, before the JIT has made a plain loop fast
        for (int i = ByteScan.indexOf(chunk, pos, limit, (byte) '\n', (byte) '\r'); i >= 0;
             i = ByteScan.indexOf(chunk, i + 1, limit, (byte) '\n', (byte) '\r')) {
            if (chunk[i] == '\n') { // the common case: the whole line is in the buffer
                line.buf = chunk;
                line.start = pos;
                line.end = i + 1;
                line.length = i + 1 - pos;
                line.crs = crs;
                pos = i + 1;
                return line;
            }
            crs++;
        }
        return gather();
    }

    /**
     * The next line that passes c-client's From_ test ({@link FromLine#isValid}), read as {@link #next} reads
     * it; null at the end. The lines before it are not handed out one by one but added up into {@code run}
     * (bytes, CRs, newlines, how the last one looks): exactly what {@link #next} and the test on every line
     * would give, in a fraction of the time, which is what a message's text needs. A whole mailbox's parse
     * spends most of its time in its messages' texts, and a short command runs it on C1's code, which makes
     * little of a loop per line: here the buffer is read eight bytes at a time, stopping only where a newline
     * is followed by an "F" (a line that could start a message) or a CR is to be counted. Lines that run past
     * the buffer, and every line that starts with "F", go through {@link #next} itself, so the From_ test sees
     * the very bytes it sees in a line-by-line read.
     */
    Line nextFromLine(TextRun run) throws IOException {
        run.clear(position());
        while (true) {
            if (pos >= limit && !fill()) {
                return null;
            }
            if (chunk[pos] != 'F') {
                wholeLines(run);
                if (pos >= limit) {
                    continue;
                }
                if (chunk[pos] != 'F') { // a line that runs past the buffer
                    run.add(next());
                    continue;
                }
            }
            Line l = next();
            if (FromLine.isValid(l.buf, l.start, l.end)) {
                return l;
            }
            run.add(l);
        }
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long LOWS = 0x7f7f7f7f7f7f7f7fL;
    private static final long LFS = '\n' * ONES;
    private static final long CRS = '\r' * ONES;
    private static final long FS = 'F' * ONES;

    /**
     * From a line start in the buffer: adds to {@code run} the whole lines up to the first line that starts
     * with "F" after a newline, or, if there is none, up to the buffer's last newline, and leaves the reader
     * there (a line start: the "F" line, the start of a line that runs past the buffer, or the buffer's end).
     */
    private void wholeLines(TextRun run) {
        final byte[] b = chunk;
        final int lim = limit;
        int i = pos;
        long lfs = 0;
        long crs = 0;
        int found = -1;
        long counts = 0; // newlines per byte lane, for up to 255 words
        int words = 0;
        if (i + 16 <= lim) {
            long v = (long) LONGS.get(b, i);
            while (i + 16 <= lim) {
                long next = (long) LONGS.get(b, i + 8);
                long after = (v >>> 8) | (next << 56); // lane k: the byte after lane k of v
                long t = v ^ LFS;
                long lf = ~(((t & LOWS) + LOWS) | t | LOWS); // exactly: 0x80 in each lane that is a newline
                long u = after ^ FS;
                long f = (u - ONES) & ~u; // 0x80 in each lane that is an F (and maybe some above one)
                long r = v ^ CRS;
                long cr = (r - ONES) & ~r; // the same for CR
                if ((((lf & f) | cr) & HIGHS) != 0) { // a line that may start with F, or a CR: byte by byte
                    for (int j = i; j < i + 8; j++) {
                        if (b[j] == '\r') {
                            crs++;
                        } else if (b[j] == '\n') {
                            lfs++;
                            if (b[j + 1] == 'F') {
                                found = j + 1;
                                break;
                            }
                        }
                    }
                    if (found >= 0) {
                        break;
                    }
                } else {
                    counts += lf >>> 7;
                    if (++words == 255) {
                        lfs += laneSum(counts);
                        counts = 0;
                        words = 0;
                    }
                }
                i += 8;
                v = next;
            }
        }
        lfs += laneSum(counts);
        if (found < 0) {
            for (; i < lim; i++) {
                if (b[i] == '\r') {
                    crs++;
                } else if (b[i] == '\n') {
                    lfs++;
                    if (i + 1 < lim && b[i + 1] == 'F') {
                        found = i + 1;
                        break;
                    }
                }
            }
        }
        int e = found;
        if (e < 0) { // to the buffer's last newline: the bytes after it are a line the next read completes
            e = lim;
            while (e > pos && b[e - 1] != '\n') {
                e--;
                if (b[e] == '\r') {
                    crs--;
                }
            }
        }
        run.add(b, pos, e, lfs, crs);
        pos = e;
    }

    /** The sum of the eight byte lanes of {@code counts} (each at most 255). */
    private static long laneSum(long counts) {
        long pairs = (counts & 0x00ff00ff00ff00ffL) + ((counts >>> 8) & 0x00ff00ff00ff00ffL);
        return (pairs * 0x0001000100010001L) >>> 48;
    }

    /** A line that runs past the buffer: gathered, keeping head and tail of a huge one. */
    private Line gather() throws IOException {
        int len = 0;
        long total = 0;
        long crs = 0;
        while (true) {
            int i = pos;
            while (i < limit && chunk[i] != '\n') {
                if (chunk[i] == '\r') {
                    crs++;
                }
                i++;
            }
            boolean done = i < limit;
            int take = (done ? i + 1 : i) - pos;
            total += take;
            if (len + take > MAX_LINE) {
                byte[] joined = Arrays.copyOf(big, len + take);
                System.arraycopy(chunk, pos, joined, len, take);
                int headLen = Math.min(HEAD, len);
                int tailLen = Math.min(TAIL, joined.length - headLen);
                byte[] keep = new byte[HEAD + TAIL];
                System.arraycopy(joined, 0, keep, 0, headLen);
                System.arraycopy(joined, joined.length - tailLen, keep, headLen, tailLen);
                big = keep;
                len = headLen + tailLen;
            } else {
                if (big.length < len + take) {
                    big = Arrays.copyOf(big, Math.max(len + take, big.length * 2));
                }
                System.arraycopy(chunk, pos, big, len, take);
                len += take;
            }
            pos += take;
            if (done || !fill()) {
                break;
            }
        }
        line.buf = big;
        line.start = 0;
        line.end = len;
        line.length = total;
        line.crs = crs;
        return line;
    }
}
