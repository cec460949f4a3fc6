package org.spoollock.store;

import java.io.IOException;
import java.util.List;

/**
 * The driver of one mailbox, remembered between appends so that a delivery agent or a server appending
 * one message at a time does not probe the file (an open, a read and a close) before each. Safe because
 * every driver checks, under its locks and before it writes, that the file is in its format: when the
 * remembered driver refuses it (the mailbox was replaced by one of another format), the file is probed
 * again and the append goes to the driver that is there now.
 */
public final class RememberedDriver {
    /** Finds the driver for the mailbox now (a probe of the file). */
    @FunctionalInterface
    public interface Probe {
        MailboxDriver driver() throws IOException;
    }

    private final MailboxRef ref;
    private final Probe probe;
    private volatile MailboxDriver known;

    public RememberedDriver(MailboxRef ref, Probe probe) {
        this.ref = ref;
        this.probe = probe;
    }

    /** {@link MailboxDriver#append} through the remembered driver, or the probed one. */
    public void append(List<NewMessage> messages, boolean create, StoreOptions options) throws IOException {
        MailboxDriver remembered = known;
        MailboxDriver d = remembered != null ? remembered : probe.driver();
        try {
            d.append(ref, messages, create, options);
        } catch (IOException e) {
            known = null;
            MailboxDriver now = remembered != null ? probe.driver() : d;
            if (now == d) {
                throw e;
            }
            d = now;
            d.append(ref, messages, create, options);
        }
        known = d;
    }

    /** Probe again at the next append (after a failure the caller could not judge). */
    public void forget() {
        known = null;
    }
}
