package org.spoollock.posix;

import java.io.IOException;
import java.nio.file.Path;

import jnr.constants.platform.Errno;

/**
 * syncfs(2): writes out and waits for everything dirty on the filesystem that holds a directory, in one
 * call. A migration that wrote thousands of files without fsync makes them durable this way at its end,
 * instead of opening and fsyncing each again (on ext4 that took as long as the rest of a Maildir copy).
 * It also flushes other programs' data on that filesystem, which costs them nothing they were not going
 * to pay.
 */
public final class FileSystemSync {
    private FileSystemSync() {
    }

    /**
     * Syncs the filesystem of {@code dir}; false where the system has no syncfs (ENOSYS: the caller then
     * fsyncs file by file). Errors (EIO, ENOSPC: reported since Linux 5.8) are thrown, typed.
     */
    public static boolean sync(Path dir) throws IOException {
        Posix posix = Posix.get();
        String d = dir.toString();
        int fd = posix.open(d, Posix.O_RDONLY | Posix.O_CLOEXEC, 0);
        try {
            NativeC.Calls c = NativeC.get();
            int errno = NativeC.call(() -> c.syncfs(fd));
            if (errno == 0) {
                return true;
            }
            if (errno == Errno.ENOSYS.intValue()) {
                return false;
            }
            throw PosixException.of("syncfs", d, null, errno);
        } finally {
            posix.closeQuietly(fd);
        }
    }
}
