package org.spoollock.lock;

/** Where a lock stands: while held, {@link #HELD}; afterwards, how it ended (as SPIP's nfslock reports it). */
public enum LockState {
    /** Held and still ours. */
    HELD,
    /** Released by us, intact until then. */
    RELEASED,
    /** Our lock file was removed by someone else (typically broken as stale). */
    LOST,
    /** Our lock file was replaced by another holder's. */
    STOLEN
}
