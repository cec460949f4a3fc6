package org.spoollock.posix;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;

/**
 * Whole-file POSIX record locks on open file descriptions (Linux F_OFD_SETLK / F_OFD_SETLKW /
 * F_OFD_GETLK, since 3.15). They conflict with classic fcntl/lockf locks of other processes (Python's
 * mailbox, Dovecot, Postfix) but belong to the descriptor, not the process: closing another
 * descriptor of the same file elsewhere in the JVM cannot drop them, as it drops classic fcntl locks
 * (and the JDK's FileChannel.lock, which is classic fcntl).
 */
public final class RecordLocks {
    /** From linux/fcntl.h: the same on every Linux architecture. */
    private static final int F_OFD_GETLK = 36;
    private static final int F_OFD_SETLK = 37;
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

    private RecordLocks() {
        Posix.get(); // native POSIX must work first: same loader, same clear failure
        this.libc = LibraryLoader.create(LibC.class).load("c");
        this.runtime = Runtime.getRuntime(libc);
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
    public boolean tryLock(int fd, boolean exclusive, String path) throws PosixException {
        return set(fd, exclusive ? F_WRLCK : F_RDLCK, path);
    }

    public void unlock(int fd, String path) throws PosixException {
        set(fd, F_UNLCK, path);
    }

    /** Who would stop us taking the lock, or null if nobody. pid is -1 for another OFD lock. */
    public Conflict probe(int fd, boolean exclusive, String path) throws PosixException {
        FlockStruct fl = struct(exclusive ? F_WRLCK : F_RDLCK);
        while (libc.fcntl(fd, F_OFD_GETLK, fl) < 0) {
            int e = runtime.getLastError();
            if (e != Errors.EINTR) {
                throw PosixException.of("fcntl(F_OFD_GETLK)", path, null, e);
            }
        }
        return fl.type.get() == F_UNLCK ? null : new Conflict(fl.type.get() == F_WRLCK, fl.pid.get());
    }

    private boolean set(int fd, short type, String path) throws PosixException {
        FlockStruct fl = struct(type);
        while (libc.fcntl(fd, F_OFD_SETLK, fl) < 0) {
            int e = runtime.getLastError();
            if (type != F_UNLCK && (e == Errors.EAGAIN || e == Errors.EWOULDBLOCK || e == Errors.EACCES)) {
                return false;
            }
            if (e != Errors.EINTR) {
                throw PosixException.of("fcntl(F_OFD_SETLK)", path, null, e);
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
