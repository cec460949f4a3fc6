package org.spoollock.posix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jnr.constants.platform.Errno;

/**
 * Makes sure a file can grow before anything is written: fallocate(FALLOC_FL_KEEP_SIZE) reserves
 * the blocks beyond the end without changing the file's size, so readers see nothing and a full
 * disk or quota fails here, cleanly. Filesystems without it (NFS, some FUSE) get a free-space check.
 */
public final class SpaceReservation {
    private static final int FALLOC_FL_KEEP_SIZE = 1;

    private SpaceReservation() {
    }

    /** Reserves {@code [offset, offset+length)} of the file open on {@code fd}; typed error on ENOSPC/EDQUOT. */
    public static void reserve(int fd, long offset, long length, Path path) throws IOException {
        if (length <= 0) {
            return;
        }
        NativeC.Calls c = NativeC.get();
        int errno = NativeC.call(() -> c.fallocate(fd, FALLOC_FL_KEEP_SIZE, offset, length));
        if (errno == 0) {
            return;
        }
        if (errno == Errno.EOPNOTSUPP.intValue() || errno == Errno.ENOSYS.intValue()
                || errno == Errno.EINVAL.intValue()) {
            long free = Files.getFileStore(path).getUsableSpace();
            if (free < length) {
                throw PosixException.of("fallocate", path.toString(), null, Errno.ENOSPC.intValue());
            }
            return;
        }
        throw PosixException.of("fallocate", path.toString(), null, errno);
    }
}
