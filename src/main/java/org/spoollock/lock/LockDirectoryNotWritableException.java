package org.spoollock.lock;

/** The dot-lock cannot be created because the mailbox's directory is not writable for this user. */
public class LockDirectoryNotWritableException extends LockException {
    private static final long serialVersionUID = 1L;

    public LockDirectoryNotWritableException(String message, Throwable cause) {
        super(message, cause);
    }
}
