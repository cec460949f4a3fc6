package org.spoollock.store.mbox;

import java.io.IOException;

/** A read-write open or a write refused because another session holds the mailbox (c-client's session lock). */
public final class MailboxInUseException extends IOException {
    private static final long serialVersionUID = 1L;

    public MailboxInUseException(String message) {
        super(message);
    }
}
