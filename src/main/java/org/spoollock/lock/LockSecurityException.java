package org.spoollock.lock;

/**
 * Something at a lock's name that must not be there: a symbolic link (which could redirect our
 * writes), a hard link, a directory or device. Never followed, never removed: an administrator has
 * to look at it.
 */
public class LockSecurityException extends LockException {
    private static final long serialVersionUID = 1L;

    public LockSecurityException(String message) {
        super(message);
    }
}
