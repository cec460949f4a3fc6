package org.spoollock.store.contract;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.spoollock.store.MailboxDriver;
import org.spoollock.store.maildir.MaildirDriver;

class MaildirContractTest extends MailboxContractTest {
    @Override
    protected MailboxDriver driver() {
        return new MaildirDriver();
    }

    @Override
    protected MailboxDriver.Probe emptyProbe() {
        return MailboxDriver.Probe.MINE; // an empty Maildir is already a Maildir (cur/, new/, tmp/)
    }

    /** A uidlist that is not one: what Dovecot's own files could be damaged into. */
    @Override
    protected void spoil(Path mailbox) throws Exception {
        Files.writeString(mailbox.resolve("dovecot-uidlist"), "this is not a mailbox\nof any kind\n");
    }

    @Override
    protected Set<String> faultPoints(String operation) {
        return switch (operation) {
            // killed after the file is written in tmp/, before its rename into cur/: not delivered
            case "append" -> Set.of("append.written");
            // flags are renames (one each, atomic) and expunge is unlinks: no journal, no points
            default -> Set.of();
        };
    }
}
