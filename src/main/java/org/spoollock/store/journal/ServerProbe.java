package org.spoollock.store.journal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;

import org.spoollock.posix.Posix;

/**
 * Whether a name exists as the server sees it, on a client that may cache its absence (see
 * {@link Recovery#needed(Path, org.spoollock.lock.MailboxLock)}): an exclusive create, which NFS
 * (and FUSE) send to the server even over a cached negative lookup, and which the server refuses
 * with EEXIST if the name is there. Only for names that nobody else creates while the caller holds
 * the mailbox's dot-lock.
 */
final class ServerProbe {
    private static final System.Logger LOG = System.getLogger(ServerProbe.class.getName());

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
        } catch (IOException cannot) {
            // a reader that may not write here, a read-only mount, a full disk, an I/O error: the probe is
            // an extra look, so what stat says stands (a writer then meets the refusal where it writes)
            LOG.log(System.Logger.Level.DEBUG, "cannot ask the server about {0} ({1}): judged by stat", name,
                    cannot.getMessage());
            return java.nio.file.Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
        posix.closeQuietly(fd);
        try {
            posix.unlink(name);
        } catch (IOException e) {
            // ours, empty: a recovery that finds it removes it as "nothing had been written"
            LOG.log(System.Logger.Level.DEBUG, "cannot remove the probe {0}: {1}", name, e.getMessage());
        }
        return false;
    }
}
