package org.spoollock.posix;

import java.nio.file.FileSystemException;

/**
 * A failed system call the JDK has no exception type for: names the operation, the path and the
 * errno. Subclasses exist for the errors callers act on; ENOENT, EACCES/EPERM and EEXIST are thrown
 * as the JDK's own types instead ({@link NoSuchFilePosixException} and the like, see {@link #of}).
 * Every one is a {@link FileSystemException} and a {@link PosixFailure}.
 */
public class PosixException extends FileSystemException implements PosixFailure {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String operation;

    public PosixException(String operation, String path, int errno) {
        this(operation, path, null, errno);
    }

    public PosixException(String operation, String path, String otherPath, int errno) {
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

    /**
     * The typed exception for an errno, as the JDK's UnixException.translateToIOException does (the
     * one place where an errno becomes an exception): the JDK's types where it has them.
     */
    public static FileSystemException of(String operation, String path, String otherPath, int errno) {
        switch (Errors.name(errno)) {
            case "EEXIST": return new FileExistsPosixException(operation, path, otherPath, errno);
            case "ENOENT": return new NoSuchFilePosixException(operation, path, otherPath, errno);
            case "EACCES":
            case "EPERM": return new AccessDeniedPosixException(operation, path, otherPath, errno);
            case "ENOLCK": return new NoLocksAvailableException(operation, path, otherPath, errno);
            case "ENOSPC":
            case "EDQUOT": return new NoSpaceException(operation, path, otherPath, errno);
            case "ELOOP": return new SymlinkException(operation, path, otherPath, errno);
            case "EAGAIN":
            case "EWOULDBLOCK": return new WouldBlockException(operation, path, otherPath, errno);
            case "EROFS": return new ReadOnlyFileSystemException(operation, path, otherPath, errno);
            case "ESTALE": return new StaleFileHandleException(operation, path, otherPath, errno);
            default: return new PosixException(operation, path, otherPath, errno);
        }
    }

    /** ENOLCK: the kernel or the lock manager (NFS lockd) has no lock to give. */
    public static final class NoLocksAvailableException extends PosixException {
        private static final long serialVersionUID = 1L;
        NoLocksAvailableException(String op, String path, String other, int errno) { super(op, path, other, errno); }
    }

    /** ENOSPC or EDQUOT: disk or quota full. */
    public static final class NoSpaceException extends PosixException {
        private static final long serialVersionUID = 1L;
        NoSpaceException(String op, String path, String other, int errno) { super(op, path, other, errno); }
    }

    /** ELOOP: a symbolic link where none may be followed (O_NOFOLLOW), or a loop of them. */
    public static final class SymlinkException extends PosixException {
        private static final long serialVersionUID = 1L;
        SymlinkException(String op, String path, String other, int errno) { super(op, path, other, errno); }
    }

    /** EWOULDBLOCK/EAGAIN: a non-blocking call would have had to wait. */
    public static final class WouldBlockException extends PosixException {
        private static final long serialVersionUID = 1L;
        WouldBlockException(String op, String path, String other, int errno) { super(op, path, other, errno); }
    }

    /** EROFS: the filesystem is mounted read-only. */
    public static final class ReadOnlyFileSystemException extends PosixException {
        private static final long serialVersionUID = 1L;
        ReadOnlyFileSystemException(String op, String path, String other, int errno) { super(op, path, other, errno); }
    }

    /**
     * ESTALE: a network filesystem's handle for the file is no longer valid on the server (removed or
     * replaced via another client). Linux's NFS client retries a path walk once when this happens; a
     * caller still sees it when the name changed again during that second walk.
     */
    public static final class StaleFileHandleException extends PosixException {
        private static final long serialVersionUID = 1L;
        StaleFileHandleException(String op, String path, String other, int errno) { super(op, path, other, errno); }
    }
}
