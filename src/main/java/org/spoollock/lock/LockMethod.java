package org.spoollock.lock;

/** One way of locking a mailbox. Layers are always taken in this order and released in reverse. */
public enum LockMethod {
    /** {@code <mailbox>.lock}: c-client, procmail, liblockfile, Python, Dovecot (dotlock). */
    DOTLOCK,
    /** flock(2) on the mailbox: c-client, Dovecot when configured so. Not seen by fcntl locks on Linux. */
    FLOCK,
    /** Whole-file POSIX record lock on the open file description: excludes fcntl/lockf users (Python, Dovecot, Postfix). */
    OFD;

    /** Parses "dotlock", "flock", "ofd" (also "fcntl", taken as OFD, which conflicts with fcntl locks). */
    public static LockMethod parse(String s) {
        switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "dotlock": return DOTLOCK;
            case "flock": return FLOCK;
            case "ofd":
            case "fcntl":
            case "posix": return OFD;
            default: throw new IllegalArgumentException("unknown lock method '" + s + "' (known: dotlock, flock, ofd)");
        }
    }
}
