package org.spoollock.store;

import java.io.IOException;
import java.time.ZonedDateTime;
import java.util.List;

/**
 * Writes messages into a mailbox in bulk, for a migration ({@link VerifiedCopy}): each message is
 * encoded for the format as it is added, and {@link #write} appends what was added under the format's
 * append locks, without an fsync (the copy syncs the target once, at the end). Made by
 * {@link MailboxDriver#importer}.
 */
public interface Importer {
    /** What the target carries over from the source: UIDVALIDITY and last UID (formats that keep UIDs), keyword names. */
    record SourceInfo(long uidValidity, long uidLast, List<String> keywordNames) {
    }

    /**
     * One message: its content is {@code head} then {@code body[offset .. offset + length)}; {@code body}
     * may be the reader's buffer, valid only during the call that hands it over.
     */
    record Item(byte[] head, byte[] body, int offset, int length, String sender, int flags, List<String> keywords,
                ZonedDateTime date, long uid) {
        public byte[] content() {
            return Mailbox.joined(head, body, offset, length);
        }
    }

    void add(Item item) throws IOException;

    /** Bytes added since the last write. */
    long bytes();

    /** Messages added since the last write. */
    int messages();

    /** Appends what was added (one write, no fsync) and empties the batch; returns the messages written. */
    int write() throws IOException;

    /**
     * Called once after the last {@link #write}: what the format does at the end of a migration (Maildir
     * fsyncs its files once and writes its UID list last); nothing for formats whose batches are complete.
     */
    default void finish() throws IOException {
    }

    /** What the format could not keep of what was added (e.g. keywords tenex has no bit for), each said once. */
    List<String> notes();
}
