package org.spoollock.store;

/**
 * A read-write open or a write refused because another session holds the mailbox (c-client's session
 * lock), or because an interrupted write waits to be finished by a read-write open.
 */
public final class MailboxInUseException extends StorageException {
    private static final long serialVersionUID = 1L;

    public MailboxInUseException(String message) {
        super(Category.IN_USE, message);
    }
}
