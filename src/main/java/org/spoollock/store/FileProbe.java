package org.spoollock.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

/** What file formats' probes and creates share: a look at a file's first bytes, an empty mailbox made safely. */
public final class FileProbe {
    /** Enough for any format's first line (a From_ line, a tenex header line). */
    static final int HEAD = 4096;

    /** A file's first bytes; {@code empty} for a file of none. */
    public record Head(byte[] bytes, boolean empty) {
    }

    private FileProbe() {
    }

    /**
     * The first bytes of the regular file at {@code p}, not following a symbolic link; null when there is
     * no regular file there or it cannot be read (opening it for real then gives the error, in the locks'
     * wording).
     */
    public static Head head(Path p) {
        try {
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer b = ByteBuffer.allocate(HEAD);
                while (b.hasRemaining() && ch.read(b) > 0) {
                    // fill
                }
                return new Head(Arrays.copyOf(b.array(), b.position()), b.position() == 0);
            }
        } catch (IOException e) {
            return null;
        }
    }

    /** Creates an empty mailbox file, mode 0600, never through a symbolic link; EXISTS if anything is there. */
    public static void createEmpty(Path p) throws IOException {
        try {
            Files.newByteChannel(p, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    .close();
        } catch (FileAlreadyExistsException e) {
            throw new StorageException(StorageException.Category.EXISTS, p + " already exists", e);
        }
    }
}
