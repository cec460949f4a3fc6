package org.spoollock.posix;

/**
 * What stat/lstat/fstat report, copied out of jnr's native struct. Times are nanoseconds since the
 * epoch, as the filesystem (for NFS: the server) stamped them.
 */
public record Stat(long dev, long ino, int nlink, int mode, int uid, int gid, long size,
                   long atimeNanos, long mtimeNanos, long ctimeNanos) {

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public boolean isSymlink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    /** Permission bits, e.g. 0666. */
    public int permissions() {
        return mode & 07777;
    }

    /** Same file: same device and inode. */
    public boolean sameFile(Stat other) {
        return other != null && dev == other.dev && ino == other.ino;
    }

    /** A short name for the file type, for error messages. */
    public String typeName() {
        switch (mode & S_IFMT) {
            case S_IFREG: return "regular file";
            case S_IFDIR: return "directory";
            case S_IFLNK: return "symbolic link";
            case 0010000: return "FIFO";
            case 0140000: return "socket";
            case 0020000: return "character device";
            case 0060000: return "block device";
            default: return "file of unknown type";
        }
    }
}
