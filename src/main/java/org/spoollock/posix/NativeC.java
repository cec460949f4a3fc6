package org.spoollock.posix;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.util.function.IntSupplier;

import com.kenai.jffi.ArrayFlags;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Function;
import com.kenai.jffi.HeapInvocationBuffer;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.ObjectParameterInfo;
import com.kenai.jffi.ObjectParameterStrategy;
import com.kenai.jffi.Type;

import jnr.constants.platform.Errno;

/**
 * The libc calls spoollock makes, through jffi (the native-call layer under jnr-ffi), each function bound at
 * its first call. jnr-ffi on top of it cost about 40 ms of every command's start on JDK 25 with the AOT
 * cache: a dynamic proxy class for the interface, annotation proxies for its own converters, a type-mapping
 * pass per method, none of which the cache can keep; jffi alone binds a function from its symbol and its C
 * types (docs/operations.md, "Start-up"). Stat results come from {@code statx(2)}, whose layout is the same
 * on every Linux architecture ({@link StatxBuffer}); names are NUL-terminated bytes ({@link #path}). Arrays
 * are copied in or out as the call needs (a delivery's message is copied once, into the call, as jnr did).
 *
 * <p>Nothing outside this package calls it: {@link Posix} is the one place spoollock calls the system.
 */
final class NativeC {
    /** The functions, as libc declares them; {@code long} for ssize_t, off_t, size_t and pointers (LP64 Linux). */
    interface Calls {
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

        /** struct passwd *, or 0; read at once (the next call may reuse it). */
        long getpwnam(byte[] name);

        int fallocate(int fd, int mode, long offset, long len);

        int syncfs(int fd);

        /** fcntl with a {@code struct flock} (RecordLocks), read and written in place. */
        int fcntl(int fd, int cmd, byte[] flock);
    }

    private static volatile Calls calls;

    private NativeC() {
    }

    /** Binds libc on first use; throws what jffi throws when it cannot (Posix.get says why). */
    static Calls load() {
        Calls c = calls;
        if (c == null) {
            synchronized (NativeC.class) {
                c = calls;
                if (c == null) {
                    c = new Libc();
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
        return LastError.getInstance().get();
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

    /**
     * A name as the kernel takes it: encoded as the JDK encodes the same String for its own file calls
     * (sun.jnu.encoding, so a FileChannel and a native call on one name address one file), NUL-terminated.
     * A name that encoding cannot hold is refused, as the JDK refuses it.
     */
    static byte[] path(String name) {
        if (name.indexOf('\0') >= 0) {
            throw new InvalidPathException(name, "Nul character not allowed");
        }
        if (ASCII_SAME) {
            byte[] c = ascii(name);
            if (c != null) {
                return c;
            }
        }
        ByteBuffer b;
        try {
            b = NAMES.newEncoder().encode(CharBuffer.wrap(name));
        } catch (CharacterCodingException e) {
            throw new InvalidPathException(name, "not representable in " + NAMES + " (sun.jnu.encoding)");
        }
        byte[] c = new byte[b.remaining() + 1];
        b.get(c, 0, c.length - 1);
        return c;
    }

    /** The name's bytes if every character is ASCII, NUL-terminated; else null. */
    private static byte[] ascii(String name) {
        int n = name.length();
        byte[] c = new byte[n + 1];
        for (int i = 0; i < n; i++) {
            char ch = name.charAt(i);
            if (ch >= 0x80) {
                return null;
            }
            c[i] = (byte) ch;
        }
        return c;
    }

    /** A C string at {@code address}, decoded as names are encoded ({@link #path}). */
    static String string(long address) {
        return new String(MemoryIO.getInstance().getZeroTerminatedByteArray(address), NAMES);
    }

    static int intAt(long address) {
        return MemoryIO.getInstance().getInt(address);
    }

    static long addressAt(long address) {
        return MemoryIO.getInstance().getAddress(address);
    }

    private static final Charset NAMES = namesCharset();
    /**
     * Whether the names' encoding gives ASCII characters their ASCII bytes, as every encoding the JDK runs
     * with on Linux does (UTF-8, ISO-8859-n, ASCII itself): then an ASCII name, the usual one, is copied
     * byte for byte rather than through an encoder made for it.
     */
    private static final boolean ASCII_SAME = asciiSame();

    private static boolean asciiSame() {
        byte[] ascii = new byte[128];
        for (int i = 0; i < 128; i++) {
            ascii[i] = (byte) i;
        }
        return java.util.Arrays.equals(new String(ascii, StandardCharsets.US_ASCII).getBytes(NAMES), ascii);
    }

    private static Charset namesCharset() {
        String jnu = System.getProperty("sun.jnu.encoding");
        try {
            return jnu == null ? Charset.defaultCharset() : Charset.forName(jnu);
        } catch (IllegalArgumentException e) {
            return Charset.defaultCharset();
        }
    }

    /**
     * libc, as the process has it loaded (dlopen(NULL): glibc or musl, whatever its file is called). Each
     * function is bound at its first call, with errno saved for {@link #errno} (two threads racing may bind
     * one twice: a Function is immutable, either serves). Calls whose arguments are all ints take jffi's
     * direct int path; calls with a byte array (names, buffers, struct flock) or a long its numeric and
     * object-parameter path, each argument in a 64-bit slot as the x86-64 and AArch64 ABIs pass it (an int
     * sign-extended, which the callee ignores above 32 bits); futimens alone, whose argument is a long[],
     * its heap invocation buffer.
     */
    private static final class Libc implements Calls {
        private static final Type INT = Type.SINT;
        private static final Type UINT = Type.UINT;
        private static final Type LONG = Type.SLONG;
        private static final Type PTR = Type.POINTER;

        private final Library library = Library.getDefault();
        private final Invoker invoker = Invoker.getInstance();

        private Function open, close, statx, link, unlink, rename, fsync, fchmod, chmod, lchown, ftruncate,
                futimens, flock, lseek, write, pread, getpid, geteuid, kill, gethostname, getpwnam, fallocate,
                syncfs, fcntl;

        Libc() {
            getpid(); // binds now, so that a libc or a jffi stub that cannot be used fails Posix.get
        }

        /** The function called {@code name}, bound now. */
        private Function bind(String name, Type returns, Type... parameters) {
            long address = library.getSymbolAddress(name);
            if (address == 0) {
                throw new UnsatisfiedLinkError("libc has no " + name + ": " + Library.getLastError());
            }
            return new Function(address, returns, parameters, CallingConvention.DEFAULT, true);
        }

        /** A byte array as jffi passes one from the Java heap: the whole array, copied in or out. */
        private static final class HeapBytes extends ObjectParameterStrategy<byte[]> {
            static final HeapBytes INSTANCE = new HeapBytes();

            private HeapBytes() {
                super(HEAP);
            }

            @Override
            public long address(byte[] array) {
                return 0;
            }

            @Override
            public Object object(byte[] array) {
                return array;
            }

            @Override
            public int offset(byte[] array) {
                return 0;
            }

            @Override
            public int length(byte[] array) {
                return array.length;
            }
        }

        /** Parameter {@code index} (from 0) a byte array copied into the call, or out of it. */
        private static ObjectParameterInfo in(int index) {
            return ObjectParameterInfo.create(index, ObjectParameterInfo.ARRAY, ObjectParameterInfo.BYTE,
                    ObjectParameterInfo.IN);
        }

        private static ObjectParameterInfo out(int index) {
            return ObjectParameterInfo.create(index, ObjectParameterInfo.ARRAY, ObjectParameterInfo.BYTE,
                    ObjectParameterInfo.OUT);
        }

        private static final HeapBytes BYTES = HeapBytes.INSTANCE;
        private static final ObjectParameterInfo IN_0 = in(0);
        private static final ObjectParameterInfo IN_1 = in(1);
        private static final ObjectParameterInfo OUT_0 = out(0);
        private static final ObjectParameterInfo OUT_1 = out(1);
        private static final ObjectParameterInfo INOUT_2 = ObjectParameterInfo.create(2, ObjectParameterInfo.ARRAY,
                ObjectParameterInfo.BYTE, ObjectParameterInfo.IN | ObjectParameterInfo.OUT);
        private static final ObjectParameterInfo OUT_4 = out(4);

        @Override
        public int open(byte[] path, int flags, int mode) {
            Function f = open != null ? open : (open = bind("open", INT, PTR, INT, UINT));
            return (int) invoker.invokeN3O1(f.getCallContext(), f.getFunctionAddress(), 0, flags, mode,
                    path, BYTES, IN_0);
        }

        @Override
        public int close(int fd) {
            Function f = close != null ? close : (close = bind("close", INT, INT));
            return invoker.invokeI1(f.getCallContext(), f.getFunctionAddress(), fd);
        }

        @Override
        public int statx(int dirfd, byte[] path, int flags, int mask, byte[] statxbuf) {
            Function f = statx != null ? statx : (statx = bind("statx", INT, INT, PTR, INT, UINT, PTR));
            return (int) invoker.invokeN5O2(f.getCallContext(), f.getFunctionAddress(), dirfd, 0, flags, mask, 0,
                    path, BYTES, IN_1, statxbuf, BYTES, OUT_4);
        }

        @Override
        public int link(byte[] existing, byte[] newName) {
            Function f = link != null ? link : (link = bind("link", INT, PTR, PTR));
            return (int) invoker.invokeN2O2(f.getCallContext(), f.getFunctionAddress(), 0, 0,
                    existing, BYTES, IN_0, newName, BYTES, IN_1);
        }

        @Override
        public int unlink(byte[] path) {
            Function f = unlink != null ? unlink : (unlink = bind("unlink", INT, PTR));
            return (int) invoker.invokeN1O1(f.getCallContext(), f.getFunctionAddress(), 0, path, BYTES, IN_0);
        }

        @Override
        public int rename(byte[] from, byte[] to) {
            Function f = rename != null ? rename : (rename = bind("rename", INT, PTR, PTR));
            return (int) invoker.invokeN2O2(f.getCallContext(), f.getFunctionAddress(), 0, 0,
                    from, BYTES, IN_0, to, BYTES, IN_1);
        }

        @Override
        public int fsync(int fd) {
            Function f = fsync != null ? fsync : (fsync = bind("fsync", INT, INT));
            return invoker.invokeI1(f.getCallContext(), f.getFunctionAddress(), fd);
        }

        @Override
        public int fchmod(int fd, int mode) {
            Function f = fchmod != null ? fchmod : (fchmod = bind("fchmod", INT, INT, UINT));
            return invoker.invokeI2(f.getCallContext(), f.getFunctionAddress(), fd, mode);
        }

        @Override
        public int chmod(byte[] path, int mode) {
            Function f = chmod != null ? chmod : (chmod = bind("chmod", INT, PTR, UINT));
            return (int) invoker.invokeN2O1(f.getCallContext(), f.getFunctionAddress(), 0, mode, path, BYTES, IN_0);
        }

        @Override
        public int lchown(byte[] path, int uid, int gid) {
            Function f = lchown != null ? lchown : (lchown = bind("lchown", INT, PTR, UINT, UINT));
            return (int) invoker.invokeN3O1(f.getCallContext(), f.getFunctionAddress(), 0, uid, gid, path, BYTES, IN_0);
        }

        @Override
        public int ftruncate(int fd, long length) {
            Function f = ftruncate != null ? ftruncate : (ftruncate = bind("ftruncate", INT, INT, LONG));
            return (int) invoker.invokeN2(f.getCallContext(), f.getFunctionAddress(), fd, length);
        }

        @Override
        public int futimens(int fd, long[] times) {
            Function f = futimens != null ? futimens : (futimens = bind("futimens", INT, INT, PTR));
            HeapInvocationBuffer b = new HeapInvocationBuffer(f);
            b.putInt(fd);
            if (times == null) {
                b.putAddress(0L);
            } else {
                b.putArray(times, 0, times.length, ArrayFlags.IN);
            }
            return invoker.invokeInt(f, b);
        }

        @Override
        public int flock(int fd, int operation) {
            Function f = flock != null ? flock : (flock = bind("flock", INT, INT, INT));
            return invoker.invokeI2(f.getCallContext(), f.getFunctionAddress(), fd, operation);
        }

        @Override
        public long lseek(int fd, long offset, int whence) {
            Function f = lseek != null ? lseek : (lseek = bind("lseek", LONG, INT, LONG, INT));
            return invoker.invokeN3(f.getCallContext(), f.getFunctionAddress(), fd, offset, whence);
        }

        @Override
        public long write(int fd, byte[] data, long count) {
            Function f = write != null ? write : (write = bind("write", LONG, INT, PTR, LONG));
            // never more than the array holds, whatever the count says
            return invoker.invokeN3O1(f.getCallContext(), f.getFunctionAddress(), fd, 0, Math.min(count, data.length),
                    data, BYTES, IN_1);
        }

        @Override
        public long pread(int fd, byte[] buf, long count, long offset) {
            Function f = pread != null ? pread : (pread = bind("pread", LONG, INT, PTR, LONG, LONG));
            // the whole array comes back: the bytes after those read are the caller's to ignore
            return invoker.invokeN4O1(f.getCallContext(), f.getFunctionAddress(), fd, 0, Math.min(count, buf.length),
                    offset, buf, BYTES, OUT_1);
        }

        @Override
        public int getpid() {
            Function f = getpid != null ? getpid : (getpid = bind("getpid", INT));
            return invoker.invokeI0(f.getCallContext(), f.getFunctionAddress());
        }

        @Override
        public int geteuid() {
            Function f = geteuid != null ? geteuid : (geteuid = bind("geteuid", UINT));
            return invoker.invokeI0(f.getCallContext(), f.getFunctionAddress());
        }

        @Override
        public int kill(int pid, int signal) {
            Function f = kill != null ? kill : (kill = bind("kill", INT, INT, INT));
            return invoker.invokeI2(f.getCallContext(), f.getFunctionAddress(), pid, signal);
        }

        @Override
        public int gethostname(byte[] name, long len) {
            Function f = gethostname != null ? gethostname : (gethostname = bind("gethostname", INT, PTR, LONG));
            return (int) invoker.invokeN2O1(f.getCallContext(), f.getFunctionAddress(), 0, Math.min(len, name.length),
                    name, BYTES, OUT_0);
        }

        @Override
        public long getpwnam(byte[] name) {
            Function f = getpwnam != null ? getpwnam : (getpwnam = bind("getpwnam", PTR, PTR));
            return invoker.invokeN1O1(f.getCallContext(), f.getFunctionAddress(), 0, name, BYTES, IN_0);
        }

        @Override
        public int fallocate(int fd, int mode, long offset, long len) {
            Function f = fallocate != null ? fallocate : (fallocate = bind("fallocate", INT, INT, INT, LONG, LONG));
            return (int) invoker.invokeN4(f.getCallContext(), f.getFunctionAddress(), fd, mode, offset, len);
        }

        @Override
        public int syncfs(int fd) {
            Function f = syncfs != null ? syncfs : (syncfs = bind("syncfs", INT, INT));
            return invoker.invokeI1(f.getCallContext(), f.getFunctionAddress(), fd);
        }

        @Override
        public int fcntl(int fd, int cmd, byte[] flock) {
            // fcntl is variadic; its third argument is a pointer in the same place on the LP64 ABIs
            Function f = fcntl != null ? fcntl : (fcntl = bind("fcntl", INT, INT, INT, PTR));
            return (int) invoker.invokeN3O1(f.getCallContext(), f.getFunctionAddress(), fd, cmd, 0, flock, BYTES, INOUT_2);
        }
    }
}
