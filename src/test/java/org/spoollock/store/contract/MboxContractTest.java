package org.spoollock.store.contract;

import java.util.Set;

import org.spoollock.store.MailboxDriver;
import org.spoollock.store.mbox.MboxDriver;

class MboxContractTest extends MailboxContractTest {
    @Override
    protected MailboxDriver driver() {
        return new MboxDriver();
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
