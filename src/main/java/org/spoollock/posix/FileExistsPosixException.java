package org.spoollock.posix;

import java.nio.file.FileAlreadyExistsException;

/** EEXIST: the name is taken, as the JDK's own {@link FileAlreadyExistsException}, with the call and errno. */
public final class FileExistsPosixException extends FileAlreadyExistsException implements PosixFailure {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String operation;

    FileExistsPosixException(String operation, String path, String otherPath, int errno) {
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
