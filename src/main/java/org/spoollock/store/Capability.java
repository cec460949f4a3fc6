package org.spoollock.store;

/** What a format can keep, declared by its driver so callers need not test for a format. */
public enum Capability {
    /** UIDs and UIDVALIDITY are stored in the mailbox and survive a close (mbox: X-IMAPbase and X-UID). */
    PERSISTENT_UIDS,
    /** Any valid keyword can be set; without it only {@link Mailbox.Status#keywords()} can. */
    ANY_KEYWORDS,
    /** A flag change is written in place where the message is (tenex/mtx), not by a rewrite. */
    IN_PLACE_FLAGS,
    /** The envelope sender is kept (mbox's From_ line). */
    ENVELOPE_SENDER,
    /** A read-write session can ask another for the mailbox and hand it over (c-client's kiss of death). */
    SESSION_HANDOVER,
    /** Messages are separated by From_ lines, so body lines that look like one are quoted (mboxo or mboxrd). */
    FROM_QUOTING,
    /**
     * The mailbox is on a server (IMAP), not in a file: no local path, locks or fsync; a write is durable
     * once the server has acknowledged it.
     */
    REMOTE
}
