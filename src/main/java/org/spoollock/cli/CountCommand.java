package org.spoollock.cli;

import java.io.IOException;

import org.spoollock.store.Mailbox;


import picocli.CommandLine.Command;

/** {@code spoollock count MAILBOX}: the number of messages, as c-client counts them. */
@Command(name = "count", mixinStandardHelpOptions = true,
        description = {"Print the number of messages in an mbox, split exactly as c-client splits it (its hidden",
                "pseudo-message not counted), read under the locks c-client takes to parse (dot-lock, then a shared flock).",
                "Exit 65 if the file is not an mbox."})
final class CountCommand extends MailboxCommand {

    @Override
    public Integer call() throws IOException {
        int count;
        try (Mailbox m = open(false)) {
            count = m.index().count();
        }
        out().println(count);
        return ExitCodes.OK;
    }
}
