package org.spoollock.posix;

import jnr.constants.platform.Errno;

/** errno numbers to names and descriptions, from jnr-constants (the platform's own values). */
final class Errors {
    static final int EINTR = Errno.EINTR.intValue();
    static final int ENOENT = Errno.ENOENT.intValue();
    static final int EEXIST = Errno.EEXIST.intValue();
    static final int ESRCH = Errno.ESRCH.intValue();
    static final int EPERM = Errno.EPERM.intValue();
    static final int EWOULDBLOCK = Errno.EWOULDBLOCK.intValue();
    static final int EAGAIN = Errno.EAGAIN.intValue();
    static final int EACCES = Errno.EACCES.intValue();
    static final int EINVAL = Errno.EINVAL.intValue();
    static final int ENOLCK = Errno.ENOLCK.intValue();

    private Errors() {
    }

    static String name(int errno) {
        Errno e = Errno.valueOf(errno);
        return e == null || e == Errno.__UNKNOWN_CONSTANT__ ? "errno " + errno : e.name();
    }

    static String describe(int errno) {
        Errno e = Errno.valueOf(errno);
        if (e == null || e == Errno.__UNKNOWN_CONSTANT__) {
            return "errno " + errno;
        }
        return e.description() + " (" + e.name() + ")";
    }
}
