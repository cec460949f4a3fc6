package org.spoollock.posix;

import java.util.function.IntSupplier;

import jnr.constants.platform.Errno;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * The libc calls jnr-posix does not offer, bound once through jnr-ffi (as jnr-posix binds its own). Public,
 * with its interface, only because jnr-ffi implements the interface in a class loader of its own.
 */
public final class NativeC {
    public interface Calls {
        int fallocate(int fd, int mode, long offset, long len);

        int syncfs(int fd);
    }

    private static volatile Calls calls;

    private NativeC() {
    }

    static Calls get() {
        Calls c = calls;
        if (c == null) {
            Posix.get(); // the native layer loads (or says why not) first
            c = LibraryLoader.create(Calls.class).load("c");
            calls = c;
        }
        return c;
    }

    /** Runs a call that returns 0 or -1, retrying on EINTR: 0, or the errno it failed with. */
    static int call(IntSupplier syscall) {
        Calls c = get();
        while (true) {
            if (syscall.getAsInt() == 0) {
                return 0;
            }
            int errno = Runtime.getRuntime(c).getLastError();
            if (errno != Errno.EINTR.intValue()) {
                return errno;
            }
        }
    }
}
