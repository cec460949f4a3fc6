package org.spoollock.posix;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Bytes of a file read front to back in large positional reads, for passes over a whole mailbox:
 * one read per chunk rather than one per message, and no per-message buffer. {@link #at} returns a
 * window on the bytes asked for, valid until the next call. Regions larger than a chunk get a
 * buffer of their own size.
 */
public final class ReadAhead {
    private final FileChannel ch;
    private final String path;
    private final long fileSize;
    private byte[] buf;
    private long bufStart;
    private int bufLength;

    /** Where the bytes asked for lie: {@code array[offset .. offset + length)}. */
    public record Window(byte[] array, int offset, int length) {
    }

    /** Reads {@code ch} (of {@code fileSize} bytes, as the caller's lock saw it) in chunks of {@code chunk} bytes. */
    public ReadAhead(FileChannel ch, long fileSize, int chunk, String path) {
        this.ch = ch;
        this.path = path;
        this.fileSize = fileSize;
        this.buf = new byte[(int) Math.max(1, Math.min(chunk, fileSize))];
    }

    /** The {@code length} bytes at {@code position}; a file shorter than that is an error naming it. */
    public Window at(long position, int length) throws IOException {
        if (position < bufStart || position + length > bufStart + bufLength) {
            fill(position, length);
        }
        return new Window(buf, (int) (position - bufStart), length);
    }

    private void fill(long position, int length) throws IOException {
        if (length > buf.length) {
            buf = new byte[length];
        }
        int want = (int) Math.max(length, Math.min(buf.length, fileSize - position));
        ByteBuffer b = ByteBuffer.wrap(buf, 0, want);
        try {
            while (b.hasRemaining()) {
                int n = ch.read(b, position + b.position());
                if (n < 0) {
                    if (b.position() >= length) {
                        break;
                    }
                    throw new java.io.EOFException(path + ": expected " + length + " bytes at offset " + position
                            + ", the file ends after " + b.position());
                }
            }
        } catch (java.io.EOFException e) {
            throw e;
        } catch (IOException e) {
            throw ChannelIo.translate("read", path, e);
        }
        bufStart = position;
        bufLength = b.position();
    }
}
