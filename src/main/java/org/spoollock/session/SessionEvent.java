package org.spoollock.session;

/** What happened to a read-write session because another process asked for the mailbox. */
public enum SessionEvent {
    /** Another process read our session lock and signalled us: it wants the mailbox. */
    REQUESTED,
    /** We gave the session lock up: the mailbox is now read-only for us. */
    GAVE_UP,
    /** We kept it (policy refuse, or not idle long enough). */
    KEPT
}
