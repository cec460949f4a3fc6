package org.spoollock.store;

/** The file is not a mailbox of the format it was opened as, or is damaged where c-client would refuse it. */
public class BadMailboxException extends StorageException {
    private static final long serialVersionUID = 1L;

    public BadMailboxException(String message) {
        super(Category.INVALID_DATA, message);
    }
}
