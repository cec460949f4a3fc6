package org.spoollock.posix;

/**
 * What every exception thrown for a failed system call tells beyond the JDK's {@link
 * java.nio.file.FileSystemException} (file, other file, reason): the call and its errno. The errors
 * the JDK has a type for are thrown as that type ({@link NoSuchFilePosixException} is a {@link
 * java.nio.file.NoSuchFileException}, and so on), so that callers catch what java.nio throws;
 * the others are a {@link PosixException}.
 */
public interface PosixFailure {
    /** The errno value of the failed call. */
    int errno();

    /** The system call or operation that failed, e.g. {@code "link"}. */
    String operation();

    /** "operation file[ -> other]: reason", the message of every such exception. */
    static String message(String operation, String file, String otherFile, String reason) {
        StringBuilder sb = new StringBuilder(operation).append(' ').append(file);
        if (otherFile != null) {
            sb.append(" -> ").append(otherFile);
        }
        return sb.append(": ").append(reason).toString();
    }
}
