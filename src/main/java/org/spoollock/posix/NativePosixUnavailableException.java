package org.spoollock.posix;

/**
 * libc could not be bound through jnr-ffi (its native stub, jffi, did not load). Unchecked because nothing in spoollock can
 * work without it, and it surfaces at the first call, never later as a lock that silently did nothing.
 */
public final class NativePosixUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public NativePosixUnavailableException(String message) {
        super(message);
    }
}
