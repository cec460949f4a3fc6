package org.spoollock.lock;

/** The mailbox to lock does not exist, and was not to be created. */
public class NoSuchMailboxException extends LockException {
    private static final long serialVersionUID = 1L;

    public NoSuchMailboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
