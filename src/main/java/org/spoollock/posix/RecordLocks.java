package org.spoollock.posix;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileSystemException;

/**
 * Whole-file POSIX record locks on open file descriptions (Linux F_OFD_SETLK / F_OFD_SETLKW /
 * F_OFD_GETLK, since 3.15). They conflict with classic fcntl/lockf locks of other processes (Python's
 * mailbox, Dovecot, Postfix) but belong to the descriptor, not the process: closing another
 * descriptor of the same file elsewhere in the JVM cannot drop them, as it drops classic fcntl locks
 * (and the JDK's FileChannel.lock, which is classic fcntl).
 *
 * <p>Where the kernel has no OFD locks (F_OFD_SETLK fails with EINVAL) classic F_SETLK locks are
 * used instead, which belong to the whole process: two threads of the JVM would both "get" one, so
 * callers must exclude each other in memory first ({@link #isClassic()} says so; MailboxLock does),
 * and any close of the file elsewhere in the JVM releases them, which nothing can prevent (a
 * warning says so once). The system property {@code spoollock.classicRecordLocks=true} forces the
 * fallback, for tests.
 */
public final class RecordLocks {
    /** From linux/fcntl.h: the same on every Linux architecture. */
    private static final int F_OFD_GETLK = 36;
    private static final int F_OFD_SETLK = 37;
    private static final int F_GETLK = jnr.constants.platform.Fcntl.F_GETLK.intValue();
    private static final int F_SETLK = jnr.constants.platform.Fcntl.F_SETLK.intValue();
    private static final System.Logger LOG = System.getLogger(RecordLocks.class.getName());
    private static final short F_RDLCK = 0;
    private static final short F_WRLCK = 1;
    private static final short F_UNLCK = 2;
    private static final short SEEK_SET = 0;

    /** What F_OFD_GETLK found in the way of a lock. */
    public record Conflict(boolean exclusive, long pid) {
    }

    /**
     * {@code struct flock} on LP64 Linux (x86_64, aarch64): short l_type, short l_whence, off_t l_start,
     * off_t l_len, pid_t l_pid, padded to 32 bytes.
     */
    private static final int FLOCK_SIZE = 32;
    private static final int L_TYPE = 0;
    private static final int L_WHENCE = 2;
    private static final int L_START = 8;
    private static final int L_LEN = 16;
    private static final int L_PID = 24;

    private static volatile RecordLocks instance;

    private final NativeC.Calls libc;
    private volatile boolean classic = Boolean.getBoolean("spoollock.classicRecordLocks");

    private RecordLocks() {
        this.libc = NativeC.get(); // Posix.get first: the same clear failure when libc cannot be bound
        if (classic) {
            warnClassic("forced by spoollock.classicRecordLocks");
        } else if (!ofdSupported()) {
            classic = true;
            warnClassic("this kernel has no open-file-description locks");
        }
    }

    /** Asks the kernel with F_OFD_GETLK on a scratch file: EINVAL means no OFD locks (Linux before 3.15). */
    private boolean ofdSupported() {
        try {
            java.nio.file.Path tmp = java.nio.file.Files.createTempFile("spoollock-ofd-probe", "");
            Posix posix = Posix.get();
            int fd = posix.open(tmp.toString(), Posix.O_RDWR | Posix.O_CLOEXEC, 0);
            try {
                return libc.fcntl(fd, F_OFD_GETLK, struct(F_WRLCK)) == 0 || NativeC.errno() != Errors.EINVAL;
            } finally {
                posix.closeQuietly(fd);
                java.nio.file.Files.deleteIfExists(tmp);
            }
        } catch (java.io.IOException e) {
            return true; // cannot tell: try OFD, and fall back on the first EINVAL
        }
    }

    /** Switches to classic fcntl locks, as on a kernel without OFD locks (for tests of that path). */
    public void forceClassic() {
        classic = true;
        warnClassic("forced");
    }

    /** True when this kernel has no OFD locks and classic, per-process fcntl locks are used. */
    public boolean isClassic() {
        return classic;
    }

    private void warnClassic(String why) {
        LOG.log(System.Logger.Level.WARNING, "using classic fcntl record locks (" + why + "): they belong to the"
                + " whole process, and closing any descriptor of a locked mailbox anywhere in this JVM releases them");
    }

    public static RecordLocks get() {
        RecordLocks r = instance;
        if (r == null) {
            synchronized (RecordLocks.class) {
                if (instance == null) {
                    instance = new RecordLocks();
                }
                r = instance;
            }
        }
        return r;
    }

    /**
     * Tries to take a whole-file OFD lock without waiting: true if taken, false if another holder
     * conflicts. The descriptor must be open for writing for an exclusive lock, for reading for a
     * shared one.
     */
    public boolean tryLock(int fd, boolean exclusive, String path) throws FileSystemException {
        return set(fd, exclusive ? F_WRLCK : F_RDLCK, path);
    }

    public void unlock(int fd, String path) throws FileSystemException {
        set(fd, F_UNLCK, path);
    }

    /** Who would stop us taking the lock, or null if nobody. pid is -1 for another OFD lock. */
    public Conflict probe(int fd, boolean exclusive, String path) throws FileSystemException {
        byte[] fl = struct(exclusive ? F_WRLCK : F_RDLCK);
        while (libc.fcntl(fd, classic ? F_GETLK : F_OFD_GETLK, fl) < 0) {
            int e = NativeC.errno();
            if (e != Errors.EINTR) {
                throw PosixException.of(classic ? "fcntl(F_GETLK)" : "fcntl(F_OFD_GETLK)", path, null, e);
            }
        }
        ByteBuffer found = ByteBuffer.wrap(fl).order(ByteOrder.nativeOrder());
        short type = found.getShort(L_TYPE);
        return type == F_UNLCK ? null : new Conflict(type == F_WRLCK, found.getInt(L_PID));
    }

    private boolean set(int fd, short type, String path) throws FileSystemException {
        byte[] fl = struct(type);
        while (libc.fcntl(fd, classic ? F_SETLK : F_OFD_SETLK, fl) < 0) {
            int e = NativeC.errno();
            if (type != F_UNLCK && (e == Errors.EAGAIN || e == Errors.EWOULDBLOCK || e == Errors.EACCES)) {
                return false;
            }
            if (!classic && e == Errors.EINVAL) {
                classic = true; // Linux before 3.15: no OFD locks
                warnClassic("this kernel has no open-file-description locks");
                continue;
            }
            if (e != Errors.EINTR) {
                throw PosixException.of(classic ? "fcntl(F_SETLK)" : "fcntl(F_OFD_SETLK)", path, null, e);
            }
        }
        return true;
    }

    private static byte[] struct(short type) {
        byte[] fl = new byte[FLOCK_SIZE];
        ByteBuffer.wrap(fl).order(ByteOrder.nativeOrder())
                .putShort(L_TYPE, type)
                .putShort(L_WHENCE, SEEK_SET)
                .putLong(L_START, 0)
                .putLong(L_LEN, 0) // 0: to the end of the file, however it grows
                .putInt(L_PID, 0);
        return fl;
    }
}
