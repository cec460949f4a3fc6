package org.spoollock.lock;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;

import org.spoollock.posix.Posix;
import org.spoollock.posix.PosixException;
import org.spoollock.posix.Stat;

/** Reading and judging lock files; shared by acquisition, breaking and inspection. */
final class LockFiles {
    /**
     * flock(LOCK_EX|LOCK_NB) on a dot-lock file's descriptor, which spoollock processes take to serialise
     * breakers with the holder's renewals and release: true if had, false if busy, and false too if the
     * filesystem refuses it. On NFS flock is a lock on the server, and a lock file removed via another
     * client (its lock broken there) no longer takes one: the torture over NFS saw ENOENT, ESTALE and
     * errors the client has no name for (libnfs: ERANGE) end deliveries and flag changes with exit 66
     * and 74. The caller looks at the name next, which says whether the lock is still there and ours.
     */
    static boolean tryFlock(Posix posix, int fd, String path) {
        try {
            return posix.flock(fd, Posix.LOCK_EX | Posix.LOCK_NB, path);
        } catch (java.nio.file.FileSystemException e) {
            System.getLogger(LockFiles.class.getName()).log(System.Logger.Level.DEBUG,
                    "flock of the lock file refused ({0}): judged by its name alone", e.getMessage());
            return false;
        }
    }

    /** Lets go of {@link #tryFlock}'s flock; a refusal is ignored (closing the descriptor drops it anyway). */
    static void unflock(Posix posix, int fd, String path) {
        try {
            posix.flock(fd, Posix.LOCK_UN, path);
        } catch (java.nio.file.FileSystemException ignored) {
            // as above: the file is gone on the server, and so is any lock on it
        }
    }

    private LockFiles() {
    }

    /** The dot-lock's name for a mailbox: c-client's {@code <mailbox>.lock}. */
    static String lockPathOf(Path mailbox) {
        return mailbox.toString() + ".lock";
    }

    /** The directory that will hold the lock, resolved, with a clear error when it is missing. */
    static Path directoryOf(Path mailbox) throws IOException {
        Path dir = mailbox.toAbsolutePath().getParent();
        if (dir == null) {
            throw new LockException("mailbox path has no directory: " + mailbox);
        }
        try {
            return dir.toRealPath();
        } catch (NoSuchFileException e) {
            throw new LockException("cannot lock " + mailbox + ": directory " + dir + " does not exist", e);
        }
    }

    /**
     * An open lock file: its descriptor (kept so the inode cannot be reused while we look), stat,
     * holder, and the bytes read (at most {@link LockHolder#MAX_READ}), by which a later look can tell
     * the same lock where inode numbers cannot (sshfs numbers them per path).
     */
    record Observation(int fd, Stat stat, LockHolder holder, byte[] data) {
        /**
         * Whether {@code later} shows the same lock file as this observation: same bytes, size and
         * times. A different lock written at the same name differs in its bytes (spoollock writes a
         * token unique to each acquisition) or, for the empty or PID-only locks of other programs,
         * in its times: only stale or dead locks are broken, so a replacement is younger.
         */
        boolean sameLockAs(Observation later) {
            Stat a = stat;
            Stat b = later.stat;
            return a.size() == b.size() && a.mtimeNanos() == b.mtimeNanos() && a.ctimeNanos() == b.ctimeNanos()
                    && java.util.Arrays.equals(data, later.data);
        }
    }

    /**
     * Opens the file at the lock name without following links or blocking on FIFOs. Returns null
     * when there is no lock; throws {@link LockSecurityException} for a link, directory or device.
     */
    static Observation observe(Posix posix, String lockPath) throws IOException {
        int fd;
        try {
            fd = posix.open(lockPath, Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_NONBLOCK | Posix.O_CLOEXEC, 0);
        } catch (NoSuchFileException | PosixException.StaleFileHandleException e) {
            // ESTALE: on NFS the name was replaced again while the client looked it up a second time
            // (the torture over NFS saw deliveries end with exit 74 here); either way there is no lock
            // to read now, and the caller looks again
            return null;
        } catch (PosixException.SymlinkException e) {
            throw new LockSecurityException("refusing to follow a symbolic link at lock name " + lockPath
                    + " (remove it after checking who planted it)");
        }
        try {
            Stat st = posix.fstat(fd, lockPath);
            if (!st.isRegularFile()) {
                throw new LockSecurityException("lock name " + lockPath + " is a " + st.typeName()
                        + ", not a lock file; refusing to touch it");
            }
            byte[] data = posix.readAtMost(fd, LockHolder.MAX_READ, lockPath);
            return new Observation(fd, st, LockHolder.parse(data), data);
        } catch (NoSuchFileException | PosixException.StaleFileHandleException e) {
            // removed after we opened it: sshfs answers fstat by path, so another client's unlink shows;
            // an NFS server that no longer has the file answers ESTALE for the handle
            posix.closeQuietly(fd);
            return null;
        } catch (IOException | RuntimeException e) {
            posix.closeQuietly(fd);
            throw e;
        }
    }

    /** Whether the process a lock names is still running, as far as this host can tell. */
    static DotLockStatus.Liveness liveness(Posix posix, LockHolder h) {
        if (h.format() != LockHolder.Format.SPOOLLOCK || !h.host().equals(posix.hostname()) || h.pid() <= 0) {
            return DotLockStatus.Liveness.UNKNOWN;
        }
        String boot = posix.bootId();
        if (!h.bootId().isEmpty() && !boot.isEmpty() && !h.bootId().equals(boot)) {
            return DotLockStatus.Liveness.DEAD; // written before this machine last booted
        }
        if (posix.processState(h.pid()) == Posix.ProcessState.GONE) {
            return DotLockStatus.Liveness.DEAD;
        }
        OptionalLong start = posix.processStartTicks(h.pid());
        if (h.startTicks().isPresent() && start.isPresent() && h.startTicks().getAsLong() != start.getAsLong()) {
            return DotLockStatus.Liveness.DEAD; // the PID now belongs to another process
        }
        return DotLockStatus.Liveness.ALIVE;
    }

    /**
     * The file server's "now" in epoch nanoseconds, read from the ctime of a file created in the
     * directory, or null when the directory is not writable.
     */
    static Long serverNow(Posix posix, Path dir) {
        String probe = dir.resolve(".spoollock-clock." + posix.getpid() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong())).toString();
        int fd;
        try {
            fd = posix.open(probe, Posix.O_RDWR | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0600);
        } catch (FileSystemException e) {
            return null;
        }
        try {
            return posix.fstat(fd, probe).ctimeNanos();
        } catch (FileSystemException e) {
            return null;
        } finally {
            posix.closeQuietly(fd);
            try {
                posix.unlinkIfExists(probe);
            } catch (FileSystemException ignored) {
                // nothing more we can do; the name is unique to this call
            }
        }
    }

    /** A status from an observation, given the server's now (or null to use the local clock). */
    static DotLockStatus status(Posix posix, String lockPath, Observation o, Long serverNowNanos, Duration staleAfter) {
        boolean server = serverNowNanos != null;
        long now = server ? serverNowNanos : System.currentTimeMillis() * 1_000_000L;
        Duration age = Duration.ofNanos(Math.max(0, now - o.stat().ctimeNanos()));
        return new DotLockStatus(lockPath, true, o.holder(), o.stat(), age, server, staleAfter,
                liveness(posix, o.holder()));
    }

    /**
     * A mailbox's dot-lock as seen now, its age by this host's clock (no file is created to read the
     * server's): cheap enough to repeat several times a second, as the spool guardian does.
     */
    static DotLockStatus peek(Path mailbox, Duration staleAfter) throws IOException {
        return look(mailbox, staleAfter, false);
    }

    /** Inspects a mailbox's dot-lock without taking it, its age by the file server's clock where it can be read. */
    static DotLockStatus inspect(Path mailbox, Duration staleAfter) throws IOException {
        return look(mailbox, staleAfter, true);
    }

    private static DotLockStatus look(Path mailbox, Duration staleAfter, boolean serverClock) throws IOException {
        Posix posix = Posix.get();
        String lockPath = lockPathOf(mailbox);
        Observation o = observe(posix, lockPath);
        if (o == null) {
            return DotLockStatus.absent(lockPath, staleAfter);
        }
        try {
            Path dir = mailbox.toAbsolutePath().getParent();
            Long now = serverClock && dir != null && Files.isDirectory(dir) ? serverNow(posix, dir) : null;
            return status(posix, lockPath, o, now, staleAfter);
        } finally {
            posix.closeQuietly(o.fd());
        }
    }
}
