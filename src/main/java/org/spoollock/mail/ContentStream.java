package org.spoollock.mail;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

import jakarta.mail.internet.SharedInputStream;

import org.spoollock.store.Mailbox;

/**
 * A message's content as a {@link SharedInputStream}, read from the mailbox in pieces
 * ({@link Mailbox.ContentReader}): MimeMessage then parses only the header into memory and keeps a
 * sub-stream for the body, so that a 100 MB message is read with a 64 MB heap. Every piece is read
 * under the folder's monitor (serialized with its other calls) and the mailbox's read locks.
 */
final class ContentStream extends BufferedInputStream implements SharedInputStream {
    /** Bytes per read of the mailbox (each takes its read locks once). */
    static final int PIECE = 64 * 1024;

    private final Object guard;
    private final Mailbox.ContentReader reader;
    private final long base;
    private final long end;

    ContentStream(Object guard, Mailbox.ContentReader reader) {
        this(guard, reader, 0, reader.length());
    }

    private ContentStream(Object guard, Mailbox.ContentReader reader, long base, long end) {
        super(new Raw(guard, reader, base, end), PIECE);
        this.guard = guard;
        this.reader = reader;
        this.base = base;
        this.end = end;
    }

    @Override
    public synchronized long getPosition() {
        return ((Raw) in).position - (count - pos) - base;
    }

    @Override
    public InputStream newStream(long start, long stop) {
        long from = base + start;
        long to = stop < 0 ? end : Math.min(end, base + stop);
        return new ContentStream(guard, reader, from, Math.max(from, to));
    }

    /** The reader as a plain stream over [base, end). */
    private static final class Raw extends InputStream {
        private final Object guard;
        private final Mailbox.ContentReader reader;
        private final long end;
        long position;

        Raw(Object guard, Mailbox.ContentReader reader, long base, long end) {
            this.guard = guard;
            this.reader = reader;
            this.position = base;
            this.end = end;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (position >= end) {
                return -1;
            }
            int want = (int) Math.min(len, end - position);
            int n;
            synchronized (guard) {
                n = reader.read(position, b, off, want);
            }
            if (n > 0) {
                position += n;
            }
            return n;
        }
    }
}
