package org.spoollock.store.mbox;

import java.io.IOException;
import java.nio.ByteBuffer;
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
        this.ch = ch;
        this.chunkOffset = from;
        this.end = to;
        // no bigger than the range: a small mailbox, or a parallel scan's small part, reads no more for it
        this.bb = ByteBuffer.allocate((int) Math.max(1, Math.min(CHUNK, to - from)));
        this.chunk = bb.array();
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
        long want = Math.min(chunk.length, end - chunkOffset);
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
