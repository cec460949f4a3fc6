package org.spoollock.lock;

import java.io.InterruptedIOException;

/**
 * The waiting thread was interrupted. Nothing is left behind (no hitching post, no lock); the
 * thread's interrupt status is set again so callers further up still see it.
 */
public class LockInterruptedException extends InterruptedIOException {
    private static final long serialVersionUID = 1L;

    public LockInterruptedException(String message) {
        super(message);
    }
}
