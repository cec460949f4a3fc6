package org.spoollock.posix;

import java.util.function.IntSupplier;

import jnr.constants.platform.Errno;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The libc calls spoollock makes, bound once through jnr-ffi. Only these, with plain Java types and no
 * jnr type annotations: binding jnr-posix's whole libc interface (hundreds of functions, each annotation
 * type a dynamic proxy class) cost about 130 ms of every command's start on JDK 25 with the AOT cache,
 * this one about 40 ms, the first calls included (measured in-process; docs/operations.md, "Start-up").
 * Stat results come from {@code statx(2)}, whose layout is the same on every Linux architecture
 * ({@link StatxBuffer}). Byte arrays go without jnr's {@code @In}/{@code @Out} (an annotation type is a
 * proxy class at start-up too), so jnr copies them both ways: for a delivery's write, one more memcpy of
 * the message than an {@code @In} array would cost, next to writing it to the file.
 *
 * <p>Public, with its interface, only because jnr-ffi implements the interface in a class loader of its
 * own. Nothing outside this package calls it: {@link Posix} is the one place spoollock calls the system.
 */
public final class NativeC {
    /** The functions, as libc declares them; {@code long} for ssize_t, off_t and size_t (LP64 Linux). */
    public interface Calls {
        int open(CharSequence path, int flags, int mode);

        int close(int fd);

        int statx(int dirfd, CharSequence path, int flags, int mask, byte[] statxbuf);

        int link(CharSequence existing, CharSequence newName);

        int unlink(CharSequence path);

        int rename(CharSequence from, CharSequence to);

        int fsync(int fd);

        int fchmod(int fd, int mode);

        int chmod(CharSequence path, int mode);

        int lchown(CharSequence path, int uid, int gid);

        int ftruncate(int fd, long length);

        /** times: {atime sec, atime nsec, mtime sec, mtime nsec}, or null for "now". */
        int futimens(int fd, long[] times);

        int flock(int fd, int operation);

        long lseek(int fd, long offset, int whence);

        long write(int fd, byte[] data, long count);

        long pread(int fd, byte[] buf, long count, long offset);

        int getpid();

        int geteuid();

        int kill(int pid, int signal);

        int gethostname(byte[] name, long len);

        /** struct passwd *, or NULL; read at once (the next call may reuse it). */
        Pointer getpwnam(CharSequence name);

        int fallocate(int fd, int mode, long offset, long len);

        int syncfs(int fd);
    }

    /**
     * libc by its file name ("libc.so.6" on glibc): asked for as "c", jnr-ffi reads /etc/ld.so.conf and lists
     * every library directory (about 1,200 entries here) before it asks the dynamic linker.
     */
    static final String LIBC = jnr.ffi.Platform.getNativePlatform().getStandardCLibraryName();

    private static volatile Calls calls;
    private static volatile Runtime runtime;

    private NativeC() {
    }

    /** Binds libc on first use; throws what jnr-ffi throws when it cannot (Posix.get says why). */
    static Calls load() {
        Calls c = calls;
        if (c == null) {
            synchronized (NativeC.class) {
                c = calls;
                if (c == null) {
                    c = LibraryLoader.create(Calls.class).load(LIBC);
                    runtime = Runtime.getRuntime(c);
                    calls = c;
                }
            }
        }
        return c;
    }

    static Calls get() {
        Posix.get(); // the native layer loads (or says why not) first
        return calls;
    }

    /** The errno of this thread's last call through {@link Calls}. */
    static int errno() {
        return runtime.getLastError();
    }

    /** Runs a call that returns 0 or -1, retrying on EINTR: 0, or the errno it failed with. */
    static int call(IntSupplier syscall) {
        get();
        while (true) {
            if (syscall.getAsInt() == 0) {
                return 0;
            }
            int errno = errno();
            if (errno != Errno.EINTR.intValue()) {
                return errno;
            }
        }
    }
}
