package org.spoollock.posix;

import java.nio.file.FileSystemException;

/**
 * A failed system call: names the operation, the path and the errno. Subclasses exist for the
 * errors callers act on (see {@link #of}); everything else is a plain {@code PosixException}.
 * Extends {@link FileSystemException} so callers that only know java.nio still get the file.
 */
public class PosixException extends FileSystemException {
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

    /** The errno value of the failed call. */
    public int errno() {
        return errno;
    }

    /** The system call or operation that failed, e.g. {@code "link"}. */
    public String operation() {
        return operation;
    }

    @Override
    public String getMessage() {
        StringBuilder sb = new StringBuilder(operation).append(' ').append(getFile());
        if (getOtherFile() != null) {
            sb.append(" -> ").append(getOtherFile());
        }
        return sb.append(": ").append(getReason()).toString();
    }

    /** The typed exception for an errno, as the JDK's UnixException.translateToIOException does. */
    public static PosixException of(String operation, String path, String otherPath, int errno) {
        switch (Errors.name(errno)) {
            case "EEXIST": return new AlreadyExistsException(operation, path, otherPath, errno);
            case "ENOENT": return new NotFoundException(operation, path, otherPath, errno);
            case "EACCES":
            case "EPERM": return new PermissionDeniedException(operation, path, otherPath, errno);
            case "ENOLCK": return new NoLocksAvailableException(operation, path, otherPath, errno);
            case "ENOSPC":
            case "EDQUOT": return new NoSpaceException(operation, path, otherPath, errno);
            case "ELOOP": return new SymlinkException(operation, path, otherPath, errno);
            case "EAGAIN":
            case "EWOULDBLOCK": return new WouldBlockException(operation, path, otherPath, errno);
            case "EROFS": return new ReadOnlyFileSystemException(operation, path, otherPath, errno);
            default: return new PosixException(operation, path, otherPath, errno);
        }
    }

    /** EEXIST: the name is taken. */
    public static final class AlreadyExistsException extends PosixException {
        private static final long serialVersionUID = 1L;
        AlreadyExistsException(String op, String path, String other, int errno) { super(op, path, other, errno); }
    }

    /** ENOENT: no such file or directory. */
    public static final class NotFoundException extends PosixException {
        private static final long serialVersionUID = 1L;
        NotFoundException(String op, String path, String other, int errno) { super(op, path, other, errno); }
    }

    /** EACCES or EPERM. */
    public static final class PermissionDeniedException extends PosixException {
        private static final long serialVersionUID = 1L;
        PermissionDeniedException(String op, String path, String other, int errno) { super(op, path, other, errno); }
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
}
