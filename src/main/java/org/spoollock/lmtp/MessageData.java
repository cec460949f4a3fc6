package org.spoollock.lmtp;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;

/**
 * A message received with DATA: dot-unstuffed, line ends made LF (as the stores keep them; mtx makes
 * them CRLF again), held in memory up to {@link #SPILL_AT} and in a temporary file beyond, so that many
 * connections receiving big messages do not fill the heap. Past the size limit the rest of the data is
 * read and thrown away (the client must be answered after its final dot) and the message is marked too
 * large. Close it to remove its file.
 */
final class MessageData implements AutoCloseable {
    /** Messages larger than this are kept in a file while they are received. */
    static final int SPILL_AT = 4 << 20;
    /** Lines longer than this come in pieces (see {@link LineInput}). */
    private static final int PIECE = 32 << 10;

    /**
     * The store takes a message as one array; a spilled message is read back for its write, one at a
     * time in the whole service, so the heap holds at most one message over {@link #SPILL_AT} at once.
     */
    private static final Semaphore BIG_IN_MEMORY = new Semaphore(1);

    private final ByteArrayOutputStream memory;
    private final Path file;
    private final long size;
    private final boolean tooLarge;

    private MessageData(ByteArrayOutputStream memory, Path file, long size, boolean tooLarge) {
        this.memory = memory;
        this.file = file;
        this.size = size;
        this.tooLarge = tooLarge;
    }

    long size() {
        return size;
    }

    boolean tooLarge() {
        return tooLarge;
    }

    /** Whether the message is held in a file (it was larger than {@link #SPILL_AT}). */
    boolean spilled() {
        return file != null;
    }

    /** Gives the content to {@code use}; a spilled message waits for its turn in memory. */
    <T> T withContent(ContentUser<T> use) throws IOException {
        if (file == null) {
            return use.use(memory.toByteArray());
        }
        try {
            BIG_IN_MEMORY.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted waiting to deliver a large message");
        }
        try {
            return use.use(Files.readAllBytes(file));
        } finally {
            BIG_IN_MEMORY.release();
        }
    }

    @FunctionalInterface
    interface ContentUser<T> {
        T use(byte[] content) throws IOException;
    }

    @Override
    public void close() {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                System.getLogger(MessageData.class.getName()).log(System.Logger.Level.WARNING,
                        "cannot remove " + file + ": " + e.getMessage());
            }
        }
    }

    /**
     * Reads DATA's text from {@code in} up to and including the line holding only a dot. Throws
     * {@link EOFException} if the connection ends first (nothing is delivered then).
     */
    static MessageData read(LineInput in, long maxSize, Path spillDirectory) throws IOException {
        ByteArrayOutputStream memory = new ByteArrayOutputStream(8192);
        OutputStream out = memory;
        Path file = null;
        long size = 0;
        boolean tooLarge = false;
        try {
            boolean lineStart = true;
            while (true) {
                int n = in.read(PIECE);
                if (n < 0) {
                    throw new EOFException("the connection closed during DATA");
                }
                byte[] b = in.buffer();
                int start = in.start();
                int end = start + n;
                boolean whole = !in.partial();
                if (lineStart && whole && n == 1 && b[start] == '.') {
                    break;
                }
                if (lineStart && n > 0 && b[start] == '.') {
                    start++; // dot-stuffing (RFC 5321 4.5.2)
                }
                lineStart = whole;
                long pieceSize = end - start + (whole ? 1 : 0);
                if (tooLarge || size + pieceSize > maxSize) {
                    tooLarge = true;
                    continue;
                }
                if (file == null && size + pieceSize > SPILL_AT) {
                    file = Files.createTempFile(spillDirectory, "lmtp-", ".msg");
                    OutputStream f = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
                    memory.writeTo(f);
                    memory = null;
                    out = f;
                }
                out.write(b, start, end - start);
                if (whole) {
                    out.write('\n');
                }
                size += pieceSize;
            }
            if (file != null) {
                out.close();
            }
            return new MessageData(memory, file, size, tooLarge);
        } catch (IOException | RuntimeException e) {
            if (file != null) {
                out.close();
                Files.deleteIfExists(file);
            }
            throw e;
        }
    }
}
