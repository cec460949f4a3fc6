package org.spoollock.lock;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.spoollock.posix.Posix;
import org.spoollock.posix.PosixException;
import org.spoollock.posix.Stat;

/**
 * A held {@code <mailbox>.lock}, taken the way c-client takes it (hitching post, link, mode 0666) so
 * c-client, liblockfile, procmail and Python's mailbox all see it, and kept better than they keep
 * theirs: it names its holder, is renewed while held, can be checked, and says how it ended.
 *
 * <pre>{@code
 * try (DotLock lock = DotLock.acquire(Path.of("/var/mail/alice"), Duration.ofSeconds(30))) {
 *     ... append to /var/mail/alice ...
 *     if (lock.check() != LockState.HELD) throw new IOException("lost the lock");
 * }
 * }</pre>
 *
 * <p>We keep the lock file's descriptor open while holding it: its inode cannot be reused while
 * open, so "is the file at the lock name still ours" is an exact test. Release, renewal and
 * stale-breaking all flock that inode briefly, which serialises them among spoollock processes:
 * two of ours never both break one stale lock, and a renewal never races a break.
 */
public final class DotLock implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DotLock.class.getName());

    private final Posix posix;
    private final String lockPath;
    private final int fd;
    private final Stat stat;
    private final LockHolder holder;
    /** Exactly what our lock file holds, with a token unique to this acquisition. */
    private final byte[] content;
    private final InProcessGate gate;
    private final Duration renewEvery;
    private final long staleAfterNanos;
    /** When we last created or touched the lock (System.nanoTime, which keeps counting while we are stopped). */
    private volatile long lastTouch = System.nanoTime();
    /** Removes the lock where we cannot unlink in the spool directory; null when we can. */
    private final DotlockfileHelper helper;
    private LockState state = LockState.HELD;
    /**
     * Whether the same inode at the name is not enough to call the lock ours: where a breaker takes a lock
     * over in place (network filesystems, see DotLockAcquirer#takeOverInPlace) our file keeps its inode
     * and gets another holder's bytes; sshfs, besides, numbers inodes per path. There the bytes decide.
     */
    private final boolean bytesDecide;

    DotLock(Posix posix, String lockPath, int fd, Stat stat, LockHolder holder, byte[] content, InProcessGate gate,
            DotLockOptions options, DotlockfileHelper helper) {
        this.content = content;
        Duration renewEvery = options.renewEvery();
        this.staleAfterNanos = options.staleAfter().toNanos();
        this.posix = posix;
        this.lockPath = lockPath;
        this.fd = fd;
        this.stat = stat;
        this.holder = holder;
        this.gate = gate;
        this.helper = helper;
        this.renewEvery = renewEvery;
        this.bytesDecide = !FileSystemInfo.renameReplacesAtomically(stat.dev(), lockPath);
        Renewals.add(this, renewEvery);
    }

    /** Takes the mailbox's dot-lock with c-client's defaults, waiting up to {@code timeout}. */
    public static DotLock acquire(Path mailbox, Duration timeout) throws IOException {
        return acquire(mailbox, timeout, DotLockOptions.defaults());
    }

    /**
     * Takes the mailbox's dot-lock, waiting up to {@code timeout} (null: forever).
     *
     * @throws LockTimeoutException               still held by someone else at the deadline
     * @throws LockInterruptedException           the thread was interrupted while waiting
     * @throws LockSecurityException              a symlink or other non-file at the lock or hitching-post name
     * @throws LockDirectoryNotWritableException the mailbox directory does not let us create the lock
     */
    public static DotLock acquire(Path mailbox, Duration timeout, DotLockOptions options) throws IOException {
        long deadline = Backoff.deadlineAfter(timeout);
        return new DotLockAcquirer(mailbox, options).acquire(deadline);
    }

    /** Takes the dot-lock if nobody holds it (breaking it if stale); never waits for a live holder. */
    public static Optional<DotLock> tryAcquire(Path mailbox, DotLockOptions options) throws IOException {
        try {
            return Optional.of(new DotLockAcquirer(mailbox, options).acquire(Long.MIN_VALUE));
        } catch (LockTimeoutException e) {
            return Optional.empty();
        }
    }

    /**
     * Looks at a mailbox's dot-lock without taking it and without writing anything (its age by this
     * host's clock; {@link #inspect} measures it by the file server's).
     */
    public static DotLockStatus peek(Path mailbox, DotLockOptions options) throws IOException {
        return LockFiles.peek(mailbox, options.staleAfter());
    }

    /** Looks at a mailbox's dot-lock without taking it. */
    public static DotLockStatus inspect(Path mailbox, DotLockOptions options) throws IOException {
        return LockFiles.inspect(mailbox, options.staleAfter());
    }

    public String lockPath() {
        return lockPath;
    }

    /** What this lock says about its holder (this process). */
    public LockHolder holder() {
        return holder;
    }

    /** The state as last seen; {@link #check()} looks again. */
    public synchronized LockState state() {
        return state;
    }

    /**
     * Looks whether the lock name still holds our file: {@link LockState#HELD}, or
     * {@link LockState#LOST} / {@link LockState#STOLEN} if someone broke it. After release, how it ended.
     */
    public synchronized LockState check() throws FileSystemException {
        if (state == LockState.HELD) {
            state = lookAtName();
        }
        return state;
    }

    /** Touches the lock now so nobody considers it stale; returns the state seen. Done automatically. */
    public synchronized LockState renew() throws FileSystemException {
        if (state != LockState.HELD) {
            return state;
        }
        if (!LockFiles.tryFlock(posix, fd, lockPath)) {
            return state; // a breaker or inspector has it this instant; the next renewal will do
        }
        return lookAndTouch(true);
    }

    /**
     * The last look before a write under this lock: waits for any spoollock breaker at work on it to be
     * done (they hold the lock file's flock while they decide and break), looks whether the name still
     * holds our file, and if so touches it, so that for a whole stale period from now nobody who judges
     * by age takes it (a breaker that looked before the touch sees the lock changed and backs off). A
     * plain {@link #check} is not enough: a holder stopped (SIGSTOP, a frozen VM) longer than the stale
     * period and resumed before anyone broke its lock still finds its lock in place, but anyone may break
     * it at any moment, also during the write that follows (spooltest/torture, full run of 2026-12-03: a
     * deliverer stopped 8 s with a 5 s stale period wrote its 2 MB message while a breaker's delivery and
     * procmail's went in, and two acknowledged messages were mixed with it). A lock touched within a
     * quarter of the stale period is only checked.
     */
    public synchronized LockState confirmFresh() throws FileSystemException {
        if (state != LockState.HELD) {
            return state;
        }
        if (System.nanoTime() - lastTouch < staleAfterNanos / 4) {
            // touched moments ago (the common case: taken just now): no breaker can judge it stale
            return check();
        }
        return lookAndTouch(flockBriefly());
    }

    /** Under our lock file's flock (when {@code flocked}): whether the name still holds our file, and if so touch it. */
    private LockState lookAndTouch(boolean flocked) throws FileSystemException {
        try {
            state = lookAtName();
            if (state == LockState.HELD) {
                posix.touch(fd, lockPath);
                lastTouch = System.nanoTime();
            }
        } finally {
            if (flocked) {
                LockFiles.unflock(posix, fd, lockPath);
            }
        }
        return state;
    }

    Duration renewEvery() {
        return renewEvery;
    }

    void renewQuietly() {
        try {
            LockState s = renew();
            if (s != LockState.HELD) {
                Renewals.remove(this);
                LOG.log(System.Logger.Level.WARNING, "dot-lock {0} was {1} while held", lockPath,
                        s == LockState.LOST ? "removed by someone else" : "replaced by another holder");
            }
        } catch (FileSystemException e) {
            LOG.log(System.Logger.Level.WARNING, "could not renew dot-lock " + lockPath, e);
        }
    }

    /**
     * Whether the lock name still holds our file: the same inode, or (where a filesystem numbers
     * inodes per path, as sshfs does) a regular file with exactly our contents, acquisition token
     * included. Anything else there is someone else's lock.
     */
    private LockState lookAtName() throws FileSystemException {
        for (int attempt = 1; ; attempt++) {
            try {
                return lookAtNameOnce();
            } catch (PosixException.StaleFileHandleException e) {
                // the name was replaced between our lstat and open (NFS): look at what is there now
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private LockState lookAtNameOnce() throws FileSystemException {
        Stat now = posix.lstatIfExists(lockPath);
        if (now == null) {
            return LockState.LOST;
        }
        if (now.sameFile(stat) && !bytesDecide) {
            return LockState.HELD;
        }
        if (!now.isRegularFile() || now.size() != content.length) {
            return LockState.STOLEN;
        }
        int other;
        try {
            other = posix.open(lockPath, Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_NONBLOCK | Posix.O_CLOEXEC, 0);
        } catch (NoSuchFileException e) {
            return LockState.LOST;
        } catch (PosixException.SymlinkException e) {
            return LockState.STOLEN;
        }
        try {
            return java.util.Arrays.equals(posix.readAtMost(other, content.length + 1, lockPath), content)
                    ? LockState.HELD : LockState.STOLEN;
        } finally {
            posix.closeQuietly(other);
        }
    }

    /**
     * Removes the lock if it is still ours and says how it ended: {@link LockState#RELEASED}, or
     * LOST / STOLEN when someone else had removed or replaced it (their lock is left alone).
     * Idempotent.
     */
    public synchronized LockState release() throws IOException {
        if (closed) {
            return state;
        }
        Renewals.remove(this);
        try {
            if (state == LockState.HELD) {
                // Serialise with any breaker looking at this inode, so we never unlink a lock that a
                // breaker just put in our place. spoollock breakers only break locks that are stale or
                // whose holder is dead; a lock we touched within half the stale period is neither, so
                // the flock (two system calls) is needed only when we have held it long, or were stopped.
                boolean serialised = System.nanoTime() - lastTouch >= staleAfterNanos / 2 && flockBriefly();
                try {
                    state = lookAtName();
                    if (state == LockState.HELD) {
                        boolean removed = true;
                        if (helper == null) {
                            removed = posix.unlinkIfExists(lockPath);
                        } else {
                            helper.unlock(lockPath);
                        }
                        state = removed ? LockState.RELEASED : LockState.LOST;
                    }
                } finally {
                    if (serialised) {
                        LockFiles.unflock(posix, fd, lockPath);
                    }
                }
            }
            return state;
        } finally {
            closeOnce();
        }
    }

    private boolean closed;

    private void closeOnce() {
        if (!closed) {
            closed = true;
            posix.closeQuietly(fd);
            gate.leave();
        }
    }

    /** flock LOCK_EX on our lock inode, waiting at most about a second for a breaker to finish. */
    private boolean flockBriefly() throws FileSystemException {
        for (int i = 0; i < 1000; i++) {
            if (LockFiles.tryFlock(posix, fd, lockPath)) {
                return true;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** {@link #release()}; the outcome stays available from {@link #state()}. */
    @Override
    public void close() throws IOException {
        release();
    }

    @Override
    public String toString() {
        return "DotLock[" + lockPath + ", " + state() + "]";
    }
}
