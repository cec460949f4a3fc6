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
    /**
     * The functions, as libc declares them; {@code long} for ssize_t, off_t and size_t (LP64 Linux). Names are
     * NUL-terminated bytes ({@link #path}): given as a CharSequence, jnr converts them through a converter
     * whose annotations cost about 11 ms of proxy classes at the first call of every command.
     */
    public interface Calls {
        int open(byte[] path, int flags, int mode);

        int close(int fd);

        int statx(int dirfd, byte[] path, int flags, int mask, byte[] statxbuf);

        int link(byte[] existing, byte[] newName);

        int unlink(byte[] path);

        int rename(byte[] from, byte[] to);

        int fsync(int fd);

        int fchmod(int fd, int mode);

        int chmod(byte[] path, int mode);

        int lchown(byte[] path, int uid, int gid);

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
        Pointer getpwnam(byte[] name);

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

    /**
     * A name as the kernel takes it: encoded as the JDK encodes the same String for its own file calls
     * (sun.jnu.encoding, so a FileChannel and a native call on one name address one file), NUL-terminated.
     * A name that encoding cannot hold is refused, as the JDK refuses it.
     */
    static byte[] path(String name) {
        if (name.indexOf('\0') >= 0) {
            throw new java.nio.file.InvalidPathException(name, "Nul character not allowed");
        }
        java.nio.ByteBuffer b;
        try {
            b = NAMES.newEncoder().encode(java.nio.CharBuffer.wrap(name));
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new java.nio.file.InvalidPathException(name, "not representable in " + NAMES + " (sun.jnu.encoding)");
        }
        byte[] c = new byte[b.remaining() + 1];
        b.get(c, 0, c.length - 1);
        return c;
    }

    private static final java.nio.charset.Charset NAMES = namesCharset();

    private static java.nio.charset.Charset namesCharset() {
        String jnu = System.getProperty("sun.jnu.encoding");
        try {
            return jnu == null ? java.nio.charset.Charset.defaultCharset() : java.nio.charset.Charset.forName(jnu);
        } catch (IllegalArgumentException e) {
            return java.nio.charset.Charset.defaultCharset();
        }
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
