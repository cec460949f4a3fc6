package org.spoollock.store.mix;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import org.spoollock.store.StorageException;
import org.spoollock.store.journal.Journal;

/** A new mix mailbox, as mix_create makes one. */
final class MixFiles {
    private MixFiles() {
    }

    /**
     * Makes the directory with {@code .mixmeta} (sequence, UIDVALIDITY {@code validity}, last UID 0, the data
     * file's number), an empty {@code .mixindex} and {@code .mixstatus} and the empty data file, modes 0700 and
     * 0600 as c-client's defaults. Built under a temporary name beside it, each file fsynced, then renamed into
     * place and the parent synced: a crash leaves no mailbox or a whole one, never a directory c-client would
     * take for mix without its index. {@link StorageException.Category#EXISTS} if something is there.
     */
    static void create(Path dir, long validity) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new StorageException(StorageException.Category.EXISTS, dir + " already exists");
        }
        Path parent = dir.toAbsolutePath().getParent();
        Path tmp = parent.resolve("." + dir.getFileName() + ".spoollock-create-" + ProcessHandle.current().pid());
        if (Files.exists(tmp, LinkOption.NOFOLLOW_LINKS)) {
            removeFlat(tmp); // our own pid's: a killed create's
        }
        Files.createDirectory(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            long now = System.currentTimeMillis() / 1000;
            write(tmp.resolve(".mixmeta"), MixIndex.created(now, validity).metaBytes());
            write(tmp.resolve(".mixindex"), new byte[0]);
            write(tmp.resolve(".mixstatus"), new byte[0]);
            write(MixMailbox.dataFile(tmp, now), new byte[0]);
            Journal.syncDirectory(tmp);
            try {
                Files.move(tmp, dir);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                throw new StorageException(StorageException.Category.EXISTS, dir + " already exists");
            }
            Journal.syncDirectory(parent);
        } finally {
            if (Files.exists(tmp, LinkOption.NOFOLLOW_LINKS)) {
                removeFlat(tmp);
            }
        }
    }

    /** Removes a directory of plain files (a create's temporary one). */
    private static void removeFlat(Path d) throws IOException {
        try (var files = Files.list(d)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(d);
    }

    private static void write(Path f, byte[] b) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(f, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ch.write(java.nio.ByteBuffer.wrap(b));
            ch.force(true);
        }
    }
}
