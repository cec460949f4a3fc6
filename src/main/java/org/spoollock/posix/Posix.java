package org.spoollock.posix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import jnr.constants.platform.OpenFlags;
import jnr.constants.platform.Signal;

/**
 * The one place where spoollock calls the operating system. Every call retries on EINTR and turns
 * any other errno into a typed {@link PosixException} naming the operation and the path.
 *
 * <p>The calls go to libc through jffi ({@link NativeC}); there is no emulation to fall back on (a lock
 * that excludes nobody is worse than none), so when libc cannot be bound {@link #get()} fails loudly and
 * says why.
 */
public final class Posix {
    public static final int O_RDONLY = OpenFlags.O_RDONLY.intValue();
    public static final int O_WRONLY = OpenFlags.O_WRONLY.intValue();
    public static final int O_RDWR = OpenFlags.O_RDWR.intValue();
    public static final int O_CREAT = OpenFlags.O_CREAT.intValue();
    public static final int O_EXCL = OpenFlags.O_EXCL.intValue();
    public static final int O_TRUNC = OpenFlags.O_TRUNC.intValue();
    public static final int O_APPEND = OpenFlags.O_APPEND.intValue();
    public static final int O_NOFOLLOW = OpenFlags.O_NOFOLLOW.intValue();
    public static final int O_NONBLOCK = OpenFlags.O_NONBLOCK.intValue();
    public static final int O_CLOEXEC = OpenFlags.O_CLOEXEC.intValue();

    /** flock(2) operations: the same numbers on Linux and the BSDs. */
    public static final int LOCK_SH = 1;
    public static final int LOCK_EX = 2;
    public static final int LOCK_NB = 4;
    public static final int LOCK_UN = 8;

    public static final int SIGUSR2 = Signal.SIGUSR2.intValue();
    public static final int SIGSTOP = Signal.SIGSTOP.intValue();

    /** What kill(pid, 0) says about a process. */
    public enum ProcessState { ALIVE, ALIVE_OTHER_USER, GONE }

    private static volatile Posix instance;

    private final NativeC.Calls posix;
    private final int pid;
    private final String hostname;

    private Posix(NativeC.Calls posix) {
        this.posix = posix;
        this.pid = posix.getpid();
        byte[] name = new byte[256];
        String h = posix.gethostname(name, name.length) == 0 ? cString(name) : "";
        this.hostname = h.isEmpty() ? "localhost" : h.trim();
    }

    /** The native POSIX layer; throws {@link NativePosixUnavailableException} if it cannot be loaded. */
    public static Posix get() {
        Posix p = instance;
        if (p == null) {
            synchronized (Posix.class) {
                p = instance;
                if (p == null) {
                    instance = p = load(NativeC::load);
                }
            }
        }
        return p;
    }

    /** Binds libc with {@code binder}, or says why it could not (package-private for tests). */
    static Posix load(java.util.function.Supplier<NativeC.Calls> binder) {
        try {
            return new Posix(binder.get());
        } catch (RuntimeException | LinkageError e) {
            NativePosixUnavailableException ex = new NativePosixUnavailableException(loadFailure(e,
                    System.getProperty("jffi.extract.dir", System.getProperty("java.io.tmpdir"))));
            ex.initCause(e);
            throw ex;
        }
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /**
     * The message for a failed load. Unless -Djffi.boot.library.path names the stub, jffi extracts it
     * into java.io.tmpdir (or jffi.extract.dir), then into the working directory, so a full or
     * unwritable /tmp can stop every command; jffi's own message carries whole stack traces in its text
     * (a command would print them as its one error line), and its innermost cause can be wrong ("No such
     * file or directory" for a full disk). So each error is given by its first line, and we try that
     * directory ourselves and say what happened there.
     */
    static String loadFailure(Throwable e, String extractDir) {
        StringBuilder m = new StringBuilder("libc could not be bound through jffi: ").append(firstLine(e));
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && !firstLine(root).equals(firstLine(e))) {
            m.append(" (innermost: ").append(firstLine(root)).append(')');
        }
        if (extractDir != null) {
            try {
                java.nio.file.Files.delete(java.nio.file.Files.createTempFile(java.nio.file.Path.of(extractDir),
                        "spoollock-probe", ".tmp"));
            } catch (java.nio.file.FileSystemException x) {
                m.append("; jffi extracts its native stub into ").append(extractDir).append(" (java.io.tmpdir or")
                        .append(" -Djffi.extract.dir), and creating a file there fails: ")
                        .append(x.getFile()).append(": ")
                        .append(x.getReason() != null ? x.getReason() : x.getClass().getSimpleName())
                        .append(". Free space there, point -Djffi.extract.dir at a writable directory not"
                                + " mounted noexec, or -Djffi.boot.library.path at a directory holding"
                                + " <arch>-Linux/libjffi-1.2.so (bin/spoollock uses the build's target/lib/jffi/jni)");
            } catch (java.io.IOException | RuntimeException x) {
                m.append("; creating a file in ").append(extractDir).append(" (where jffi extracts its stub) fails: ")
                        .append(x);
            }
        }
        return m.toString();
    }

    private static String firstLine(Throwable t) {
        String s = t.toString();
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    public int getpid() {
        return pid;
    }

    /** gethostname(2), as c-client and liblockfile name this machine in lock files. */
    public String hostname() {
        return hostname;
    }

    /** Runs a call that returns -1 on failure, retrying on EINTR; any other errno is thrown, typed. */
    private int call(java.util.function.IntSupplier syscall, String operation, String path) throws FileSystemException {
        while (true) {
            int r = syscall.getAsInt();
            if (r >= 0) {
                return r;
            }
            int e = NativeC.errno();
            if (e != Errors.EINTR) {
                throw PosixException.of(operation, path, null, e);
            }
        }
    }

    public int open(String path, int flags, int mode) throws FileSystemException {
        byte[] name = NativeC.path(path);
        return call(() -> posix.open(name, flags, mode), "open", path);
    }

    /** close(2); errors on close are reported, except EINTR (the descriptor is gone on Linux). */
    public void close(int fd, String path) throws FileSystemException {
        if (posix.close(fd) < 0) {
            int e = NativeC.errno();
            if (e != Errors.EINTR) {
                throw PosixException.of("close", path, null, e);
            }
        }
    }

    /** close(2) for cleanup paths, where a second error must not hide the first. */
    public void closeQuietly(int fd) {
        if (fd >= 0) {
            posix.close(fd);
        }
    }

    public Stat lstat(String path) throws FileSystemException {
        byte[] st = StatxBuffer.allocate();
        byte[] name = NativeC.path(path);
        call(() -> statx(StatxBuffer.AT_FDCWD, name, StatxBuffer.AT_SYMLINK_NOFOLLOW, st), "lstat", path);
        return StatxBuffer.toStat(st);
    }

    /** lstat, or null when the name does not exist. */
    public Stat lstatIfExists(String path) throws FileSystemException {
        byte[] st = StatxBuffer.allocate();
        byte[] name = NativeC.path(path);
        while (statx(StatxBuffer.AT_FDCWD, name, StatxBuffer.AT_SYMLINK_NOFOLLOW, st) < 0) {
            int e = NativeC.errno();
            if (e == Errors.ENOENT) {
                return null;
            }
            if (e != Errors.EINTR) {
                throw PosixException.of("lstat", path, null, e);
            }
        }
        return StatxBuffer.toStat(st);
    }

    public Stat stat(String path) throws FileSystemException {
        byte[] st = StatxBuffer.allocate();
        byte[] name = NativeC.path(path);
        call(() -> statx(StatxBuffer.AT_FDCWD, name, 0, st), "stat", path);
        return StatxBuffer.toStat(st);
    }

    public Stat fstat(int fd, String path) throws FileSystemException {
        byte[] st = StatxBuffer.allocate();
        call(() -> statx(fd, EMPTY_NAME, StatxBuffer.AT_EMPTY_PATH, st), "fstat", path);
        return StatxBuffer.toStat(st);
    }

    /** "": with AT_EMPTY_PATH, statx looks at the descriptor itself. */
    private static final byte[] EMPTY_NAME = {0};

    private int statx(int dirfd, byte[] name, int flags, byte[] into) {
        return posix.statx(dirfd, name, flags, StatxBuffer.STATX_BASIC_STATS, into);
    }

    /**
     * link(2). Returns 0 on success or the errno for EEXIST, leaving the caller to decide (an NFS
     * link may have succeeded although it reports failure); any other error is thrown.
     */
    public int link(String existing, String newName) throws FileSystemException {
        byte[] from = NativeC.path(existing);
        byte[] to = NativeC.path(newName);
        while (true) {
            if (posix.link(from, to) == 0) {
                return 0;
            }
            int e = NativeC.errno();
            if (e == Errors.EEXIST) {
                return e;
            }
            if (e != Errors.EINTR) {
                throw PosixException.of("link", existing, newName, e);
            }
        }
    }

    public void unlink(String path) throws FileSystemException {
        byte[] name = NativeC.path(path);
        call(() -> posix.unlink(name), "unlink", path);
    }

    /** unlink(2); false when the name was already gone. */
    public boolean unlinkIfExists(String path) throws FileSystemException {
        byte[] name = NativeC.path(path);
        while (posix.unlink(name) < 0) {
            int e = NativeC.errno();
            if (e == Errors.ENOENT) {
                return false;
            }
            if (e != Errors.EINTR) {
                throw PosixException.of("unlink", path, null, e);
            }
        }
        return true;
    }

    public void rename(String from, String to) throws FileSystemException {
        byte[] f = NativeC.path(from);
        byte[] t = NativeC.path(to);
        while (posix.rename(f, t) < 0) {
            int e = NativeC.errno();
            if (e != Errors.EINTR) {
                throw PosixException.of("rename", from, to, e);
            }
        }
    }

    public void fsync(int fd, String path) throws FileSystemException {
        call(() -> posix.fsync(fd), "fsync", path);
    }

    public void fchmod(int fd, int mode, String path) throws FileSystemException {
        call(() -> posix.fchmod(fd, mode), "fchmod", path);
    }

    public void ftruncate(int fd, long length, String path) throws FileSystemException {
        call(() -> posix.ftruncate(fd, length), "ftruncate", path);
    }

    /** Sets the access and modification times (nanoseconds since the epoch). */
    public void setTimes(int fd, long atimeNanos, long mtimeNanos, String path) throws FileSystemException {
        long[] times = {Math.floorDiv(atimeNanos, 1_000_000_000L), Math.floorMod(atimeNanos, 1_000_000_000L),
                Math.floorDiv(mtimeNanos, 1_000_000_000L), Math.floorMod(mtimeNanos, 1_000_000_000L)};
        call(() -> posix.futimens(fd, times), "futimens", path);
    }

    /** chmod(2) by name, as c-client sets lock protection ("don't use fchmod()"). */
    public void chmod(String path, int mode) throws FileSystemException {
        byte[] name = NativeC.path(path);
        call(() -> posix.chmod(name, mode), "chmod", path);
    }

    /** Sets atime and mtime to now, which also moves ctime to the file server's now. */
    public void touch(int fd, String path) throws FileSystemException {
        call(() -> posix.futimens(fd, null), "futimens", path);
    }

    /**
     * flock(2). With LOCK_NB, returns false when another holder conflicts; blocking calls return true
     * or throw. EINTR is retried.
     */
    public boolean flock(int fd, int operation, String path) throws FileSystemException {
        while (posix.flock(fd, operation) < 0) {
            int e = NativeC.errno();
            if ((operation & LOCK_NB) != 0 && (e == Errors.EWOULDBLOCK || e == Errors.EAGAIN)) {
                return false;
            }
            if (e != Errors.EINTR) {
                throw PosixException.of("flock", path, null, e);
            }
        }
        return true;
    }

    /** lseek(2): the descriptor's new offset. */
    public long lseek(int fd, long offset, int whence, String path) throws FileSystemException {
        long r = posix.lseek(fd, offset, whence);
        if (r < 0) {
            throw PosixException.of("lseek", path, null, NativeC.errno());
        }
        return r;
    }

    public static final int SEEK_CUR = 1;

    /** Writes all of {@code data} at the descriptor's position. */
    public void writeFully(int fd, byte[] data, String path) throws FileSystemException {
        int off = 0;
        while (off < data.length) {
            byte[] chunk = off == 0 ? data : java.util.Arrays.copyOfRange(data, off, data.length);
            int n = (int) posix.write(fd, chunk, chunk.length);
            if (n < 0) {
                int e = NativeC.errno();
                if (e == Errors.EINTR) {
                    continue;
                }
                throw PosixException.of("write", path, null, e);
            }
            off += n;
        }
    }

    /** Reads at most {@code max} bytes from offset 0 (pread: the descriptor's position is untouched). */
    public byte[] readAtMost(int fd, int max, String path) throws FileSystemException {
        byte[] out = new byte[max];
        byte[] chunk = new byte[max];
        int total = 0;
        while (total < max) {
            int n = (int) posix.pread(fd, chunk, max - total, total);
            if (n < 0) {
                int e = NativeC.errno();
                if (e == Errors.EINTR) {
                    continue;
                }
                throw PosixException.of("read", path, null, e);
            }
            if (n == 0) {
                break;
            }
            System.arraycopy(chunk, 0, out, total, n);
            total += n;
        }
        return java.util.Arrays.copyOf(out, total);
    }

    /** A user of the passwd database, as getpwnam(3) gives it (NSS: files, LDAP, ...). */
    public record User(String name, int uid, int gid, String home) {
    }

    /** getpwnam(3): the user called {@code name}, or null when there is none. */
    public User user(String name) {
        // struct passwd on LP64 Linux (glibc and musl): pw_name, pw_passwd, pw_uid, pw_gid, pw_gecos, pw_dir
        synchronized (Posix.class) { // getpwnam's result is static storage, reused by the next call
            long p = posix.getpwnam(NativeC.path(name));
            if (p == 0) {
                return null;
            }
            return new User(NativeC.string(NativeC.addressAt(p)), NativeC.intAt(p + 16), NativeC.intAt(p + 20),
                    NativeC.string(NativeC.addressAt(p + 32)));
        }
    }

    /** The effective user id (0: root). */
    public int geteuid() {
        return posix.geteuid();
    }

    /** lchown(2): never follows a symbolic link. */
    public void lchown(String path, int uid, int gid) throws FileSystemException {
        byte[] name = NativeC.path(path);
        call(() -> posix.lchown(name, uid, gid), "lchown", path);
    }

    /** kill(pid, 0): whether a process with that PID exists. */
    public ProcessState processState(long pid) {
        if (pid <= 0) {
            return ProcessState.GONE;
        }
        if (posix.kill((int) pid, 0) == 0) {
            return ProcessState.ALIVE;
        }
        return NativeC.errno() == Errors.EPERM ? ProcessState.ALIVE_OTHER_USER : ProcessState.GONE;
    }

    /** kill(2) with a signal; false when no such process. */
    public boolean kill(long pid, int signal) throws FileSystemException {
        if (posix.kill((int) pid, signal) == 0) {
            return true;
        }
        int e = NativeC.errno();
        if (e == Errors.ESRCH) {
            return false;
        }
        throw PosixException.of("kill", "pid " + pid, null, e);
    }

    /**
     * The process's start time in clock ticks after boot (field 22 of /proc/PID/stat): with the boot
     * id it tells a live holder from a new process that reused its PID. Empty when unknown.
     */
    public OptionalLong processStartTicks(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.UTF_8);
            // The command name (field 2) is in parentheses and may contain spaces and ')'.
            int close = s.lastIndexOf(')');
            if (close < 0) {
                return OptionalLong.empty();
            }
            String[] fields = s.substring(close + 2).split(" ");
            // fields[0] is field 3 (state), so field 22 is fields[19].
            return fields.length > 19 ? OptionalLong.of(Long.parseLong(fields[19])) : OptionalLong.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** The kernel's boot id, which changes at every boot; empty when /proc does not have it. */
    public String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id"), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "";
        }
    }

}
