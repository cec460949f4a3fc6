package org.spoollock.mail;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;

/**
 * What an IMAP server needs to answer UIDPLUS (RFC 4315): the UIDs its APPEND and COPY gave, as Angus
 * Mail's {@code IMAPFolder.appendUIDMessages} and {@code copyUIDMessages} report them. {@link SpoolFolder}
 * implements it.
 */
public interface UidPlusFolder {
    /** A UID a message was given, with the UIDVALIDITY it belongs to. */
    record AppendedUid(long uidValidity, long uid) {
    }

    /**
     * Appends as {@link Folder#appendMessages} does and returns the UID each message was given, in order.
     * The UIDs are known where this folder is open read-write: its session numbers them, as c-client's
     * session does, and they stay while UIDVALIDITY does. Otherwise the elements are null (as
     * {@code IMAPFolder} gives where the server has no UIDPLUS): the messages are delivered all the same.
     */
    AppendedUid[] appendUIDMessages(Message[] msgs) throws MessagingException;

    /**
     * Copies as {@link Folder#copyMessages} does (between spoollock folders the stored bytes, flags,
     * keywords and internal date, without re-encoding the MIME) and returns the UIDs the copies were given
     * in {@code to}, as {@link #appendUIDMessages} would.
     */
    AppendedUid[] copyUIDMessages(Message[] msgs, Folder to) throws MessagingException;
}
