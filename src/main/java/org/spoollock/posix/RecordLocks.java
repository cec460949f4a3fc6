package org.spoollock.posix;

import java.nio.file.FileSystemException;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;

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

    public interface LibC {
        int fcntl(int fd, int cmd, FlockStruct lock);
    }

    /** struct flock, laid out by jnr for this platform (short, short, off_t, off_t, pid_t). */
    public static final class FlockStruct extends Struct {
        final Signed16 type = new Signed16();
        final Signed16 whence = new Signed16();
        final Signed64 start = new Signed64();
        final Signed64 len = new Signed64();
        final Signed32 pid = new Signed32();

        FlockStruct(Runtime runtime) {
            super(runtime);
        }
    }

    private static volatile RecordLocks instance;

    private final LibC libc;
    private final Runtime runtime;
    private volatile boolean classic = Boolean.getBoolean("spoollock.classicRecordLocks");

    private RecordLocks() {
        Posix.get(); // native POSIX must work first: same loader, same clear failure
        this.libc = LibraryLoader.create(LibC.class).load(NativeC.LIBC);
        this.runtime = Runtime.getRuntime(libc);
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
                return libc.fcntl(fd, F_OFD_GETLK, struct(F_WRLCK)) == 0 || runtime.getLastError() != Errors.EINVAL;
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
        FlockStruct fl = struct(exclusive ? F_WRLCK : F_RDLCK);
        while (libc.fcntl(fd, classic ? F_GETLK : F_OFD_GETLK, fl) < 0) {
            int e = runtime.getLastError();
            if (e != Errors.EINTR) {
                throw PosixException.of(classic ? "fcntl(F_GETLK)" : "fcntl(F_OFD_GETLK)", path, null, e);
            }
        }
        return fl.type.get() == F_UNLCK ? null : new Conflict(fl.type.get() == F_WRLCK, fl.pid.get());
    }

    private boolean set(int fd, short type, String path) throws FileSystemException {
        FlockStruct fl = struct(type);
        while (libc.fcntl(fd, classic ? F_SETLK : F_OFD_SETLK, fl) < 0) {
            int e = runtime.getLastError();
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

    private FlockStruct struct(short type) {
        FlockStruct fl = new FlockStruct(runtime);
        fl.type.set(type);
        fl.whence.set(SEEK_SET);
        fl.start.set(0);
        fl.len.set(0); // 0: to the end of the file, however it grows
        fl.pid.set(0);
        return fl;
    }
}
