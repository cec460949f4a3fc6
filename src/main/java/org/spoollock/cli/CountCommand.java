package org.spoollock.cli;

import java.io.IOException;

import org.spoollock.store.MailboxFormat;
import org.spoollock.store.mbox.MboxMailbox;
import org.spoollock.store.tenex.TenexMailbox;
import org.spoollock.store.mbox.MboxIndex;

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
        MailboxFormat f = format();
        if (f != MailboxFormat.MBOX) {
            try (TenexMailbox m = TenexMailbox.open(mailbox, tenexFormat(f), false, store.tenexOptions())) {
                count = m.index().count();
            }
        } else {
            try (MboxMailbox m = MboxMailbox.openReadOnly(mailbox, store.mailboxOptions())) {
                count = m.index().count();
            } catch (MboxIndex.NotAnMboxException e) {
                return fail(ExitCodes.DATAERR, e.getMessage());
            }
        }
        out().println(count);
        return ExitCodes.OK;
    }
}
