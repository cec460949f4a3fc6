package org.spoollock.store.tenex;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.ZonedDateTime;
import java.util.List;

import org.spoollock.store.Flags;

/**
 * Messages encoded as a tenex or mtx mailbox stores them (internal header line, then the text with
 * the format's line ends), ready to be appended with one write. Each message is encoded when added,
 * so its bytes may live in a buffer the caller reuses (a migration reads its source that way).
 */
public final class TenexBatch {
    private final TenexFormat format;
    private final List<String> configured;
    private final Bytes data = new Bytes(1 << 16);
    private final Bytes text = new Bytes(1 << 16);
    private int messages;

    /** A batch for mailboxes of {@code format} whose keywords are {@code configured} (see {@link TenexKeywords}). */
    public TenexBatch(TenexFormat format, List<String> configured) {
        this.format = format;
        this.configured = List.copyOf(configured);
    }

    /** Adds a message whose content is {@code head} followed by {@code body[offset .. offset + length)}. */
    public void add(byte[] head, byte[] body, int offset, int length, int flags, List<String> keywords, ZonedDateTime date) {
        text.reset();
        byte last = format.store(head, 0, head.length, text, (byte) 0);
        format.store(body, offset, length, text, last);
        if (text.size() == 0) {
            throw new IllegalArgumentException("empty message (c-client refuses a zero-length append too)");
        }
        int userBits = TenexKeywords.userBits(configured, keywords, format);
        data.writeBytes(new TenexHeader(date, text.size(), userBits, flags & Flags.ALL).format(format));
        data.write(text.array(), 0, text.size());
        messages++;
    }

    public int messages() {
        return messages;
    }

    public long bytes() {
        return data.size();
    }

    public void clear() {
        data.reset();
        messages = 0;
    }

    /** The encoded messages (a view, valid until the batch changes). */
    ByteBuffer view() {
        return ByteBuffer.wrap(data.array(), 0, data.size());
    }

    /** A growable buffer whose bytes can be handed on without a copy. */
    static final class Bytes extends ByteArrayOutputStream {
        Bytes(int size) {
            super(size);
        }

        byte[] array() {
            return buf;
        }
    }
}
