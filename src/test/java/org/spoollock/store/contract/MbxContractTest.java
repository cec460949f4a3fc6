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
            // flags are written in place (21 bytes each): no journal
            case "flag" -> Set.of();
            // a session with the file to itself compacts it through a journal, as c-client's mbx_rewrite
            // (with others there it only marks messages expunged, in place: MbxCompactionTest)
            default -> Set.of("rewrite.planned", "rewrite.committed", "rewrite.applying");
        };
    }

    /** A new mbx file has its header: c-client takes it as mbx, not as an empty file. */
    @Override
    protected MailboxDriver.Probe emptyProbe() {
        return MailboxDriver.Probe.MINE;
    }
}
