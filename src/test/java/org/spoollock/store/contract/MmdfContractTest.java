package org.spoollock.store.contract;

import java.util.Set;

import org.spoollock.store.MailboxDriver;
import org.spoollock.store.mbox.MboxDriver;

class MmdfContractTest extends MailboxContractTest {
    @Override
    protected MailboxDriver driver() {
        return new MboxDriver.Mmdf();
    }

    /**
     * c-client's mmdf append adds a newline to every message, as its unix append does, but in mmdf it is
     * part of the text (Python's mailbox.MMDF writes the same bytes, and drops the newline when it reads).
     */
    @Override
    protected String delivered(String text) {
        return text + "\n";
    }

    @Override
    protected Set<String> faultPoints(String operation) {
        return switch (operation) {
            // the session's close writes the new message's UID by a checkpoint: a rewrite too
            case "append" -> Set.of("append.noted", "append.checked", "append.partial", "append.written", "rewrite.planned",
                    "rewrite.committed", "rewrite.grown", "rewrite.applying");
            // journalled rewrites; a keyword longer than the padding grows the file, an expunge shrinks it
            case "flag" -> Set.of("rewrite.planned", "rewrite.committed", "rewrite.grown", "rewrite.applying");
            default -> Set.of("rewrite.planned", "rewrite.committed", "rewrite.applying");
        };
    }
}
