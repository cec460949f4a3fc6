package org.spoollock.store;

import java.io.IOException;
import java.util.List;

/** What every format's open mailbox shares: where it is, its driver, and changes applied by the format. */
public abstract class AbstractMailbox implements Mailbox {
    private final MailboxDriver driver;
    private final MailboxRef ref;

    protected AbstractMailbox(MailboxDriver driver, MailboxRef ref) {
        this.driver = driver;
        this.ref = ref;
    }

    @Override
    public final MailboxRef ref() {
        return ref;
    }

    @Override
    public final MailboxDriver driver() {
        return driver;
    }

    @Override
    public final Changes changes() {
        return new Changes(this, this::apply);
    }

    /** Applies checked changes in order; durable when it returns. */
    protected abstract Changes.Committed apply(List<Changes.Change> changes) throws IOException;
}
