package org.spoollock.store;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * One mailbox format (c-client's DRIVER, Dovecot's storage class): its name, what it can keep, how to
 * recognise it, and how to create, open and deliver to a mailbox of it with its own lock policy.
 * Drivers are found by {@link Drivers} (java.util.ServiceLoader, META-INF/services).
 */
public interface MailboxDriver {
    /** What a probe says of a location. */
    enum Probe {
        /** In this format. */
        MINE,
        /** Exists and is empty: any file format may take it (c-client takes an empty file as mbox). */
        EMPTY,
        /** Not this format, or nothing there. */
        NOT_MINE
    }

    /** The name used as a prefix and in messages: mbox, tenex, mtx, ... */
    String name();

    Set<Capability> capabilities();

    /**
     * Whether {@code ref}'s location is in this format, never locking: file formats judge {@code head}
     * (the file's first bytes, read once for all drivers; null when there is no regular file there),
     * directory formats look at the directory's shape.
     */
    Probe probe(MailboxRef ref, FileProbe.Head head) throws IOException;

    /** Creates an empty mailbox; {@link StorageException.Category#EXISTS} if something is there. */
    void create(MailboxRef ref, StoreOptions options) throws IOException;

    /** Opens the mailbox read-only (no lock held between calls) or read-write (the format's session). */
    Mailbox open(MailboxRef ref, boolean readWrite, StoreOptions options) throws IOException;

    /**
     * Delivers {@code messages} without a session, as c-client's mail_append: under the format's
     * append locks, durable when it returns; {@code create} makes the mailbox if it does not exist.
     */
    void append(MailboxRef ref, List<NewMessage> messages, boolean create, StoreOptions options) throws IOException;

    /**
     * A bulk writer into {@code ref} for a migration (see {@link Importer}); {@code fresh}: the mailbox is
     * empty, so the first message added may carry the mailbox's own data (mbox: X-IMAPbase).
     */
    Importer importer(MailboxRef ref, Importer.SourceInfo source, boolean fresh, StoreOptions options) throws IOException;

    /**
     * A message's content ({@code head} then {@code body[offset .. offset + length)}) as it reads back once
     * this format stored it (mbox quotes From_-like body lines), or null when the format stores it as given
     * (line ends aside), which spares a migration a copy of every message.
     */
    default byte[] asStored(byte[] head, byte[] body, int offset, int length) {
        return null;
    }

    /**
     * Finishes a killed spoollock writer's work on the mailbox (an append note, a rewrite journal) under
     * the format's own locks, as any open does; nothing when there is none.
     */
    void recover(MailboxRef ref, StoreOptions options) throws IOException;

    /**
     * Finishes a killed writer's work under {@code held}, a lock the caller already has on the mailbox,
     * without letting go of it; false where the format cannot do that with this lock (the caller then lets
     * go and calls {@link #recover}). For {@code org.spoollock.store.journal.Recovery#lockFinished}.
     */
    default boolean recoverHolding(MailboxRef ref, org.spoollock.lock.MailboxLock held, java.time.Duration timeout)
            throws IOException {
        return false;
    }

    /**
     * Where folder {@code path} (its names from the top of a folder tree, e.g. {@code [lists, work]}) lies in
     * a tree of this format rooted at {@code root}, for {@code copy --recursive}: a sub-path for file and
     * directory formats; formats with their own naming (Maildir++'s {@code .lists.work}, an IMAP server's
     * hierarchy) override it.
     */
    default MailboxRef child(MailboxRef root, List<String> path) {
        return new MailboxRef(name(), root.path().resolve(String.join("/", path)).toString());
    }

    /** Makes the root of a folder tree of this format if it is not there: a directory, for most. */
    default void createTreeRoot(MailboxRef root, StoreOptions options) throws IOException {
        java.nio.file.Files.createDirectories(root.path());
    }

    /** What {@link #check} found: the messages counted, problems (the mailbox is not sound), notes. */
    record CheckReport(int messages, List<String> problems, List<String> notes) {
        public boolean sound() {
            return problems.isEmpty();
        }
    }

    /**
     * Validates the mailbox, reading only, under the format's shared locks (a killed writer's work is
     * finished first, as by any open): a mailbox that cannot be read as this format is a problem, not an
     * exception; missing mailboxes and lock failures are exceptions.
     */
    CheckReport check(MailboxRef ref, StoreOptions options) throws IOException;
}
