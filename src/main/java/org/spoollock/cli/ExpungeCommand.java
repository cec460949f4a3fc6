package org.spoollock.cli;

import java.io.IOException;

import org.spoollock.store.Mailbox;


import picocli.CommandLine.Command;

/** {@code spoollock expunge MAILBOX}. */
@Command(name = "expunge", mixinStandardHelpOptions = true,
        description = {"Remove the messages flagged \\Deleted, as c-client's expunge: read-write session, then the",
                "dot-lock and an exclusive flock; the file keeps its inode and is rewritten in place through a journal",
                "beside it (.<name>.spoollock-journal), so a crash leaves the mailbox before or after, never between.",
                "tenex/mtx: as c-client, only while no other process has the mailbox open (else exit 75, \"in use\").",
                "Prints the number of messages removed."})
final class ExpungeCommand extends MailboxCommand {

    @Override
    public Integer call() throws IOException {
        int n;
        try (Mailbox m = open(true)) {
            n = m.changes().expunge().commit().expunged().size();
        }
        out().println(n);
        return ExitCodes.OK;
    }
}
