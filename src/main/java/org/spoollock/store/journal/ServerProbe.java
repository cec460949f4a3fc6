package org.spoollock.store.journal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;

import org.spoollock.posix.Posix;
import org.spoollock.posix.PosixException;

/**
 * Whether a name exists as the server sees it, on a client that may cache its absence (see
 * {@link Recovery#needed(Path, org.spoollock.lock.MailboxLock)}): an exclusive create, which NFS
 * (and FUSE) send to the server even over a cached negative lookup, and which the server refuses
 * with EEXIST if the name is there. Only for names that nobody else creates while the caller holds
 * the mailbox's dot-lock.
 */
final class ServerProbe {
    private ServerProbe() {
    }

    static boolean exists(Path p) throws IOException {
        Posix posix = Posix.get();
        String name = p.toString();
        int fd;
        try {
            fd = posix.open(name, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0600);
        } catch (FileAlreadyExistsException there) {
            return true;
        } catch (java.nio.file.AccessDeniedException | PosixException.ReadOnlyFileSystemException cannot) {
            // a reader that may not write here (nor then, as a peer, have left anything): what stat says
            return java.nio.file.Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
        posix.closeQuietly(fd);
        posix.unlink(name);
        return false;
    }
}
