package org.spoollock.lock;

import java.nio.file.FileSystemException;
import org.spoollock.posix.Posix;
import org.spoollock.posix.RecordLocks;

/**
 * The kernel lock layers of a {@link MailboxLock}, one row each (as Dovecot's mbox lock code keeps a
 * table of lock types and their functions): taken in this order after the dot-lock, released in
 * reverse. A row says which {@link LockMethod} it is, how to try it once without blocking, how to let
 * it go, whether it may be waited for while the dot-lock is held, and whether the kernel gives it to
 * the whole process (so a second descriptor of this JVM on the file must not open and close meanwhile).
 */
enum KernelLayer {
    /** flock(2), c-client's layer: waited for under the dot-lock, as c-client does. */
    FLOCK(LockMethod.FLOCK, "flock", true) {
        @Override
        boolean tryOnce(Posix posix, int fd, boolean exclusive, String name) throws FileSystemException {
            return posix.flock(fd, (exclusive ? Posix.LOCK_EX : Posix.LOCK_SH) | Posix.LOCK_NB, name);
        }

        @Override
        void unlock(Posix posix, int fd, String name) throws FileSystemException {
            posix.flock(fd, Posix.LOCK_UN, name);
        }

        @Override
        boolean processWide() {
            return false;
        }
    },
    /**
     * A whole-file POSIX lock (OFD where the kernel has them). Only tried under the dot-lock: Debian's
     * Dovecot (mbox_write_locks = fcntl dotlock) and Policy-11.6 MDAs take it BEFORE the dot-lock, so
     * waiting for it while holding ours would deadlock with them until a timeout (seen with a real Dovecot).
     */
    POSIX(LockMethod.OFD, "POSIX lock", false) {
        @Override
        boolean tryOnce(Posix posix, int fd, boolean exclusive, String name) throws FileSystemException {
            return RecordLocks.get().tryLock(fd, exclusive, name);
        }

        @Override
        void unlock(Posix posix, int fd, String name) throws FileSystemException {
            RecordLocks.get().unlock(fd, name);
        }

        /** Classic fcntl locks belong to the process, and any close of the file drops them. */
        @Override
        boolean processWide() {
            return RecordLocks.get().isClassic();
        }
    };

    final LockMethod method;
    final String label;
    final boolean waitedForUnderDotLock;

    KernelLayer(LockMethod method, String label, boolean waitedForUnderDotLock) {
        this.method = method;
        this.label = label;
        this.waitedForUnderDotLock = waitedForUnderDotLock;
    }

    /** One non-blocking try; true once held. */
    abstract boolean tryOnce(Posix posix, int fd, boolean exclusive, String name) throws FileSystemException;

    abstract void unlock(Posix posix, int fd, String name) throws FileSystemException;

    abstract boolean processWide();
}
