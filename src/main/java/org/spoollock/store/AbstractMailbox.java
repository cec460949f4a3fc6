package org.spoollock.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToLongFunction;

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

    /** The messages of the run of appends that starts at {@code changes[from]}: a format writes them together. */
    protected static List<NewMessage> appendRun(List<Changes.Change> changes, int from) {
        List<NewMessage> run = new ArrayList<>();
        for (int i = from; i < changes.size() && changes.get(i) instanceof Changes.Append a; i++) {
            run.add(a.message());
        }
        return run;
    }

    /**
     * The UIDs of the {@code k} messages this open appended at offset {@code at}, found by where they start
     * ({@code start}) among the {@code count} it now knows: mail another program delivered just before or
     * after them is read by the same parse and must not be taken for ours.
     */
    protected List<Long> uidsOfAppended(long at, int k, int count, IntToLongFunction start, IntToLongFunction uid)
            throws MailboxChangedException {
        for (int n = 1; n + k - 1 <= count; n++) {
            if (start.applyAsLong(n) == at) {
                List<Long> out = new ArrayList<>(k);
                for (int j = 0; j < k; j++) {
                    out.add(uid.applyAsLong(n + j));
                }
                return out;
            }
        }
        throw new MailboxChangedException(ref + ": the " + k + " message(s) appended at offset " + at + " are not where"
                + " they were written (the mailbox was rewritten meanwhile); they are in the mailbox, but their UIDs are"
                + " not known to this session");
    }
}
