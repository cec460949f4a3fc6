package org.spoollock.posix;

import java.nio.file.NoSuchFileException;

/** ENOENT: no such file or directory, as the JDK's own {@link NoSuchFileException}, with the call and errno. */
public final class NoSuchFilePosixException extends NoSuchFileException implements PosixFailure {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String operation;

    NoSuchFilePosixException(String operation, String path, String otherPath, int errno) {
        super(path, otherPath, Errors.describe(errno));
        this.errno = errno;
        this.operation = operation;
    }

    @Override
    public int errno() {
        return errno;
    }

    @Override
    public String operation() {
        return operation;
    }

    @Override
    public String getMessage() {
        return PosixFailure.message(operation, getFile(), getOtherFile(), getReason());
    }
}
