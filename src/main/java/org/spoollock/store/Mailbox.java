package org.spoollock.store;

import java.io.IOException;
import java.util.List;

/**
 * An open mailbox of any format, as every caller (the CLI, {@code copy}, the Jakarta provider, a
 * delivery service) sees it. Opened by {@link Drivers#open}, with the format's own locks and session
 * rules; read-only opens hold no lock between calls, read-write opens hold the format's session.
 *
 * <p>Message numbers are 1-based and change only at {@link #sync} (new mail appended after) and at a
 * commit that expunges. UIDs never change while {@link Status#uidValidity} stays the same: for formats
 * without {@link Capability#PERSISTENT_UIDS} they are this open's own numbering (as c-client's).
 */
public interface Mailbox extends AutoCloseable {
    /** Count, UIDVALIDITY, UIDNEXT and the keywords that can be set ({@code anyKeyword}: any valid one). */
    record Status(int count, long uidValidity, long uidNext, List<String> keywords, boolean anyKeyword) {
    }

    MailboxRef ref();

    MailboxDriver driver();

    boolean readWrite();

    Status status();

    /** UIDs, flags, keywords and internal dates of the messages this open knows of. */
    MessageIndex index();

    /** Message {@code msgno}'s RFC 822 size (CRLF line ends counted), as c-client reports it. */
    long size(int msgno) throws IOException;

    /**
     * New mail: reads what others appended since; returns how many messages arrived. A mailbox changed
     * in a way appending cannot explain gives {@link MailboxChangedException}: reopen it.
     */
    int sync() throws IOException;

    /** Message {@code msgno} as c-client hands it out (no status headers, no From_ line, line ends as stored). */
    byte[] content(int msgno) throws IOException;

    /**
     * Reads one message's content (as {@link #content} gives it) piece by piece, so that a large message
     * is never held whole: each {@link #read} takes the mailbox's read locks for that piece and checks the
     * message is still where it was (an IOException, e.g. {@link MailboxChangedException}, if another
     * program rewrote the mailbox meanwhile). This open's own writes do not disturb it.
     */
    interface ContentReader {
        long length();

        /** Up to {@code len} bytes from {@code position} of the content; -1 at its end. */
        int read(long position, byte[] b, int off, int len) throws IOException;
    }

    /** A {@link ContentReader} for message {@code msgno}; formats that can read in pieces override this one, which reads it whole. */
    default ContentReader contentReader(int msgno) throws IOException {
        byte[] c = content(msgno);
        return new ContentReader() {
            @Override
            public long length() {
                return c.length;
            }

            @Override
            public int read(long position, byte[] b, int off, int len) {
                if (position >= c.length) {
                    return -1;
                }
                int n = (int) Math.min(len, c.length - position);
                System.arraycopy(c, (int) position, b, off, n);
                return n;
            }
        };
    }

    /** Receives messages of a bulk read, in order. */
    @FunctionalInterface
    interface MessageSink {
        void message(int msgno, byte[] content) throws IOException;
    }

    /** Messages {@code from}..{@code to} as {@link #content} gives them, read under one lock where the format allows. */
    default void read(int from, int to, MessageSink sink) throws IOException {
        readParts(from, to, (n, sender, head, buffer, offset, length) -> sink.message(n, joined(head, buffer, offset,
                length)));
    }

    /** A message handed over in parts ({@link PartsSink}) as one array: {@code head} then {@code buffer[offset .. offset + length)}. */
    static byte[] joined(byte[] head, byte[] buffer, int offset, int length) {
        byte[] c = java.util.Arrays.copyOf(head, head.length + length);
        System.arraycopy(buffer, offset, c, head.length, length);
        return c;
    }

    /**
     * What {@link #readParts} hands over for each message, without assembling it: its content is {@code head}
     * then {@code buffer[offset .. offset + length)}, valid only during the call; the envelope sender where
     * the format keeps one (else null).
     */
    @FunctionalInterface
    interface PartsSink {
        void message(int msgno, String sender, byte[] head, byte[] buffer, int offset, int length) throws IOException;
    }

    /** The fastest way through many messages (a migration): large reads front to back, under one lock. */
    void readParts(int from, int to, PartsSink sink) throws IOException;

    /** A new group of changes to this mailbox; nothing is written before {@link Changes#commit}. */
    Changes changes();

    @Override
    void close() throws IOException;
}
