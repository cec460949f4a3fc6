package org.spoollock.store;

/**
 * The mailbox changed under an open index in a way that appending cannot explain (it shrank, or the
 * new data is not a message): someone rewrote it without the locks. Reopen it; never guess.
 */
public final class MailboxChangedException extends StorageException {
    private static final long serialVersionUID = 1L;

    public MailboxChangedException(String message) {
        super(Category.CHANGED, message);
    }
}
