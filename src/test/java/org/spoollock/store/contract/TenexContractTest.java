package org.spoollock.store.contract;

import java.util.Set;

import org.spoollock.store.MailboxDriver;
import org.spoollock.store.tenex.TenexDriver;

class TenexContractTest extends MailboxContractTest {
    @Override
    protected MailboxDriver driver() {
        return new TenexDriver.Tenex();
    }

    @Override
    protected Set<String> faultPoints(String operation) {
        return switch (operation) {
            case "append" -> Set.of("append.written");
            // flags are written in place (12 digits, one write each): no journal, no points
            case "flag" -> Set.of();
            default -> Set.of("rewrite.planned", "rewrite.committed", "rewrite.applying");
        };
    }
}
