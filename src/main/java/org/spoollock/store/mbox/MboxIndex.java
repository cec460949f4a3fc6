package org.spoollock.store.mbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Where the messages of an mbox start, split exactly as c-client's unix driver splits them: leading
 * blank bytes skipped, the first line must be a VALID From_ line, headers run to the first empty
 * line, and only body lines are tested against {@link FromLine} (a From_ line among the headers is a
 * header). The first message is c-client's hidden pseudo-message when its headers carry
 * {@code X-IMAP: <validity> <last>}; it is not counted.
 *
 * <p>Streams the file through a fixed buffer: memory is 8 bytes per message plus the buffer,
 * whatever the mailbox's size. Lines up to 1 MiB are examined whole; in longer lines (binary junk)
 * only the last 64 KiB count for the From_ test.
 */
public final class MboxIndex {
    private static final int CHUNK = 1 << 20;
    private static final int MAX_LINE = 1 << 20;
    private static final int TAIL = 64 << 10;

    private long[] starts = new long[64];
    private int messages;
    private boolean pseudo;
    private long uidValidity;
    private long uidLast;
    private final long size;

    private MboxIndex(long size) {
        this.size = size;
    }

    /** Thrown when the file does not start like an mbox (c-client: "not a UNIX-format mailbox"). */
    public static final class NotAnMboxException extends IOException {
        private static final long serialVersionUID = 1L;

        NotAnMboxException(String message) {
            super(message);
        }
    }

    /** Scans a mailbox. An empty (or all-blank) file has no messages. */
    public static MboxIndex scan(Path mailbox) throws IOException {
        try (FileChannel ch = FileChannel.open(mailbox, StandardOpenOption.READ)) {
            MboxIndex index = new MboxIndex(ch.size());
            index.parse(ch, mailbox);
            return index;
        }
    }

    /** Messages as c-client counts them (the pseudo-message excluded). */
    public int count() {
        return pseudo ? messages - 1 : messages;
    }

    /** Whether the first message is c-client's internal-data pseudo-message. */
    public boolean hasPseudoMessage() {
        return pseudo;
    }

    /** UIDVALIDITY from X-IMAP / X-IMAPbase, or 0 when the mailbox has none yet. */
    public long uidValidity() {
        return uidValidity;
    }

    /** Last UID assigned, from X-IMAP / X-IMAPbase. */
    public long uidLast() {
        return uidLast;
    }

    /** Byte offset of the From_ line of visible message {@code n} (1-based). */
    public long offsetOf(int n) {
        if (n < 1 || n > count()) {
            throw new IndexOutOfBoundsException("message " + n + " of " + count());
        }
        return starts[n - 1 + (pseudo ? 1 : 0)];
    }

    public long fileSize() {
        return size;
    }

    private void parse(FileChannel ch, Path mailbox) throws IOException {
        LineReader in = new LineReader(ch);
        // c-client skips leading blank bytes "for broken MTAs".
        if (!in.skipBlank()) {
            return;
        }
        long firstOffset = in.position();
        Line line = in.next();
        if (line == null || !FromLine.isValid(line.buf, line.start, line.end)) {
            throw new NotAnMboxException(mailbox + ": not an mbox (offset " + firstOffset + " is not a From_ line c-client"
                    + " accepts" + (line == null ? "" : ": \"" + preview(line) + "\"") + ")");
        }
        startMessage(firstOffset);
        boolean inHeaders = true;
        while (true) {
            long offset = in.position();
            line = in.next();
            if (line == null) {
                break;
            }
            if (inHeaders) {
                if (line.isEmpty()) {
                    inHeaders = false;
                } else if (messages == 1) {
                    readUidHeader(line);
                }
            } else if (FromLine.isValid(line.buf, line.start, line.end)) {
                startMessage(offset);
                inHeaders = true;
            }
        }
    }

    private void startMessage(long offset) {
        if (messages == starts.length) {
            starts = Arrays.copyOf(starts, messages * 2);
        }
        starts[messages++] = offset;
    }

    /** X-IMAP (pseudo-message) or X-IMAPbase in the first message: "<validity> <last> [keywords]". */
    private void readUidHeader(Line l) {
        boolean imap = l.startsWith("X-IMAP:");
        if (!imap && !l.startsWith("X-IMAPbase:")) {
            return;
        }
        if (uidValidity != 0) {
            return;
        }
        int i = l.start + (imap ? 7 : 11);
        i = skipSpaces(l, i);
        long validity = 0;
        while (i < l.end && Character.isDigit(l.buf[i])) {
            validity = validity * 10 + (l.buf[i++] - '0');
        }
        i = skipSpaces(l, i);
        if (validity == 0 || i >= l.end || !Character.isDigit(l.buf[i])) {
            return;
        }
        long last = 0;
        while (i < l.end && Character.isDigit(l.buf[i])) {
            last = last * 10 + (l.buf[i++] - '0');
        }
        uidValidity = validity;
        uidLast = last;
        pseudo |= imap;
    }

    private static int skipSpaces(Line l, int i) {
        while (i < l.end && l.buf[i] == ' ') {
            i++;
        }
        return i;
    }

    private static String preview(Line l) {
        int n = Math.min(60, l.end - l.start);
        return new String(l.buf, l.start, n, StandardCharsets.ISO_8859_1).replace("\n", "").replace("\r", "");
    }

    /** A line as bytes {@code buf[start..end)} including its newline (absent only at end of file). */
    static final class Line {
        byte[] buf;
        int start;
        int end;

        boolean isEmpty() {
            int n = end - start;
            return (n == 1 && buf[start] == '\n') || (n == 2 && buf[start] == '\r' && buf[start + 1] == '\n');
        }

        boolean startsWith(String s) {
            if (end - start < s.length()) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                if (buf[start + i] != s.charAt(i)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Lines from a channel through one buffer; long lines are gathered in a side buffer. */
    static final class LineReader {
        private final FileChannel ch;
        private final ByteBuffer bb = ByteBuffer.allocate(CHUNK);
        private final byte[] chunk = bb.array();
        private int pos;
        private int limit;
        private long chunkOffset;
        private boolean eof;
        private byte[] big = new byte[0];
        private final Line line = new Line();

        LineReader(FileChannel ch) {
            this.ch = ch;
        }

        long position() {
            return chunkOffset + pos;
        }

        private boolean fill() throws IOException {
            if (eof) {
                return false;
            }
            chunkOffset += limit;
            bb.clear();
            int n;
            do {
                n = ch.read(bb);
            } while (n == 0);
            if (n < 0) {
                eof = true;
                limit = 0;
                pos = 0;
                return false;
            }
            limit = bb.position();
            pos = 0;
            return true;
        }

        /** Skips newlines, CRs, spaces and tabs; false at end of file. */
        boolean skipBlank() throws IOException {
            while (true) {
                while (pos < limit) {
                    byte c = chunk[pos];
                    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') {
                        return true;
                    }
                    pos++;
                }
                if (!fill()) {
                    return false;
                }
            }
        }

        /** The next line, or null at end of file. Valid until the next call. */
        Line next() throws IOException {
            if (pos >= limit && !fill()) {
                return null;
            }
            for (int i = pos; i < limit; i++) {
                if (chunk[i] == '\n') { // the common case: the whole line is in the buffer
                    line.buf = chunk;
                    line.start = pos;
                    line.end = i + 1;
                    pos = i + 1;
                    return line;
                }
            }
            // The line runs past the buffer: gather it (keeping at most the tail of a huge line).
            int len = 0;
            while (true) {
                int i = pos;
                while (i < limit && chunk[i] != '\n') {
                    i++;
                }
                boolean done = i < limit;
                int take = (done ? i + 1 : i) - pos;
                if (len + take > MAX_LINE) {
                    // keep the first 5 bytes ("From ") and the last TAIL bytes
                    byte[] keep = new byte[5 + TAIL];
                    int headLen = Math.min(5, len);
                    System.arraycopy(big, 0, keep, 0, headLen);
                    byte[] joined = Arrays.copyOf(big, len + take);
                    System.arraycopy(chunk, pos, joined, len, take);
                    int tailLen = Math.min(TAIL, joined.length - headLen);
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
            // At end of file a line may lack its newline; such a line is never a From_ line (as c-client
            // behaves: MboxCountIT "last line a From_ line without newline").
            line.buf = big;
            line.start = 0;
            line.end = len;
            return line;
        }
    }
}
