package org.spoollock.posix;

/**
 * jnr-posix's native implementation could not be loaded. Unchecked because nothing in spoollock can
 * work without it, and it surfaces at the first call, never later as a lock that silently did nothing.
 */
public final class NativePosixUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public NativePosixUnavailableException(String message) {
        super(message);
    }
}
