package org.spoollock.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** A message handed to a delivery (standard input of an MDA, an LMTP DATA), read whole under a size limit. */
public final class MessageInput {
    private MessageInput() {
    }

    /** Reads the whole message; refuses one larger than {@code maxBytes}. */
    public static byte[] read(InputStream in, long maxBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        byte[] buf = new byte[65536];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > maxBytes) {
                throw new MessageTooLargeException("message larger than " + maxBytes + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Thrown for a message over the size limit: bad input, not worth retrying. */
    public static final class MessageTooLargeException extends StorageException {
        private static final long serialVersionUID = 1L;

        MessageTooLargeException(String m) {
            super(Category.INVALID_INPUT, m);
        }
    }
}
