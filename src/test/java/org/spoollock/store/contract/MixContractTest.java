package org.spoollock.store.contract;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.spoollock.store.MailboxDriver;
import org.spoollock.store.mix.MixDriver;

class MixContractTest extends MailboxContractTest {
    @Override
    protected MailboxDriver driver() {
        return new MixDriver();
    }

    @Override
    protected MailboxDriver.Probe emptyProbe() {
        return MailboxDriver.Probe.MINE; // an empty mix mailbox is already a directory with .mixmeta
    }

    /** An index that is not one: what c-client's own files could be damaged into. */
    @Override
    protected void spoil(Path mailbox) throws Exception {
        Files.writeString(mailbox.resolve(".mixindex"), "this is not a mailbox\r\nof any kind\r\n");
    }

    /** c-client keeps keywords of up to 50 bytes in mix (MAXUSERFLAG). */
    @Override
    protected String longKeyword() {
        return "a-keyword-of-fifty-bytes-the-longest-mix-keeps-xyz";
    }

    /** Every change rewrites control files through the journal (the metadata first, where a crash is caught). */
    @Override
    protected Set<String> faultPoints(String operation) {
        return switch (operation) {
            // the metadata's last UID first: it grows nothing, the index and status grow
            case "append" -> Set.of("rewrite.planned", "rewrite.committed", "rewrite.grown");
            case "flag" -> Set.of("rewrite.planned", "rewrite.committed", "rewrite.grown");
            default -> Set.of("rewrite.planned", "rewrite.committed");
        };
    }
}
