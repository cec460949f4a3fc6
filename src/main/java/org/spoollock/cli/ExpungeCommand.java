package org.spoollock.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.spoollock.store.mbox.MboxMailbox;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code spoollock expunge MAILBOX}. */
@Command(name = "expunge", mixinStandardHelpOptions = true,
        description = {"Remove the messages flagged \\Deleted, as c-client's expunge: read-write session, then the",
                "dot-lock and an exclusive flock; the file keeps its inode and is rewritten in place through a journal",
                "beside it (.<name>.spoollock-journal), so a crash leaves the mailbox before or after, never between.",
                "Prints the number of messages removed."})
final class ExpungeCommand implements Callable<Integer> {
    @Mixin
    StoreOptionsMixin store;

    @Parameters(index = "0", paramLabel = "MAILBOX")
    Path mailbox;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        int n;
        try (MboxMailbox m = MboxMailbox.openReadWrite(mailbox, store.mailboxOptions())) {
            n = m.expunge();
        }
        spec.commandLine().getOut().println(n);
        return ExitCodes.OK;
    }
}
