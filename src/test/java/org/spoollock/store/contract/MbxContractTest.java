package org.spoollock.store.contract;

import java.util.Set;

import org.spoollock.store.MailboxDriver;
import org.spoollock.store.mbx.MbxDriver;

class MbxContractTest extends MailboxContractTest {
    @Override
    protected MailboxDriver driver() {
        return new MbxDriver();
    }

    @Override
    protected Set<String> faultPoints(String operation) {
        return switch (operation) {
            case "append" -> Set.of("append.written");
            // flags are written in place (21 bytes each), an expunge marks each message in place (0x8000): no
            // journal; a kill between two messages leaves the earlier ones done, the later ones not
            case "flag" -> Set.of();
            default -> Set.of();
        };
    }

    /** A new mbx file has its header: c-client takes it as mbx, not as an empty file. */
    @Override
    protected MailboxDriver.Probe emptyProbe() {
        return MailboxDriver.Probe.MINE;
    }
}
