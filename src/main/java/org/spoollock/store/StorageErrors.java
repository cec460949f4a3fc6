package org.spoollock.store;

import java.io.InterruptedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;

import org.spoollock.lock.LockDirectoryNotWritableException;
import org.spoollock.lock.LockSecurityException;
import org.spoollock.lock.LockTimeoutException;
import org.spoollock.lock.NoSuchMailboxException;
import org.spoollock.posix.PosixException;

/**
 * The one place where a failure of any layer (posix, locks, stores) gets its {@link StorageException.Category};
 * the CLI's exit code and the Jakarta provider's exception are each chosen from the category.
 */
public final class StorageErrors {
    private StorageErrors() {
    }

    public static StorageException.Category categoryOf(Throwable ex) {
        // a write that failed for lack of space, whatever wraps it, is worth retrying later
        for (Throwable c = ex; c != null; c = c.getCause()) {
            if (c instanceof PosixException.NoSpaceException) {
                return StorageException.Category.NO_SPACE;
            }
        }
        if (ex instanceof StorageException s) {
            return s.category();
        }
        if (ex instanceof LockTimeoutException || ex instanceof PosixException.NoLocksAvailableException
                || ex instanceof InterruptedIOException) {
            return StorageException.Category.TEMPORARY;
        }
        if (ex instanceof LockDirectoryNotWritableException || ex instanceof LockSecurityException
                || ex instanceof AccessDeniedException) {
            return StorageException.Category.PERMISSION;
        }
        if (ex instanceof NoSuchFileException
                || ex instanceof NoSuchMailboxException) {
            return StorageException.Category.NOT_FOUND;
        }
        if (ex instanceof FileAlreadyExistsException) {
            return StorageException.Category.EXISTS;
        }
        return StorageException.Category.INTERNAL;
    }
}
