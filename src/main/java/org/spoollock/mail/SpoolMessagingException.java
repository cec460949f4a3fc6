package org.spoollock.mail;

import java.io.IOException;

import jakarta.mail.MessagingException;

import org.spoollock.store.StorageErrors;
import org.spoollock.store.StorageException;

/**
 * A spoollock failure seen through Jakarta Mail: the message says what and where; {@link #getCause}
 * (and {@link #getNextException}) is the typed IOException underneath (lock timeout, disk full,
 * mailbox in use, not a mailbox...).
 */
public class SpoolMessagingException extends MessagingException {
    private static final long serialVersionUID = 1L;

    public SpoolMessagingException(String message, IOException cause) {
        super(message + ": " + cause.getMessage(), cause);
    }

    /** The typed exception underneath. */
    public IOException ioException() {
        return (IOException) getCause();
    }

    /** The mailbox is held by another session and was not handed over, or was taken from us. */
    public static final class InUse extends SpoolMessagingException {
        private static final long serialVersionUID = 1L;

        InUse(String message, IOException cause) {
            super(message, cause);
        }
    }

    /** The Jakarta exception for a storage failure, chosen by its category (StorageErrors), in this one place. */
    static SpoolMessagingException of(String what, IOException e) {
        if (StorageErrors.categoryOf(e) == StorageException.Category.IN_USE) {
            return new InUse(what, e);
        }
        return new SpoolMessagingException(what, e);
    }

    /** The storage category of the failure underneath. */
    public StorageException.Category category() {
        return StorageErrors.categoryOf(getCause());
    }
}
