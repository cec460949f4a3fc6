package org.spoollock.store;

import java.io.IOException;

/**
 * A storage error with the category callers decide on (retry later, tell the user, give up), as
 * Dovecot's {@code enum mail_error} does. Thrown by the store interface for what it finds itself;
 * {@link StorageErrors#categoryOf} classifies the exceptions of the layers below.
 */
public class StorageException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, as far as a caller needs to know to decide what to do next. */
    public enum Category {
        /** Worth retrying later: a lock timeout, an interrupted wait, no locks available. */
        TEMPORARY,
        /** The mailbox or message does not exist. */
        NOT_FOUND,
        /** Permission denied, a symbolic link or another file type where a mailbox should be. */
        PERMISSION,
        /** Another session keeps the mailbox, or an interrupted write waits to be finished. */
        IN_USE,
        /** The mailbox changed under us in a way we cannot follow (e.g. it shrank). */
        CHANGED,
        /** The mailbox's content is not what its format says. */
        INVALID_DATA,
        /** What the caller asked for is not valid (a bad keyword, a message number out of range). */
        INVALID_INPUT,
        /** Creating something that already exists (or a target that is not empty). */
        EXISTS,
        /** No space left (or quota). */
        NO_SPACE,
        /** Anything else: an I/O error, a bug. */
        INTERNAL
    }

    private final Category category;

    public StorageException(Category category, String message) {
        super(message);
        this.category = category;
    }

    public StorageException(Category category, String message, Throwable cause) {
        super(message, cause);
        this.category = category;
    }

    public Category category() {
        return category;
    }
}
