package org.spoollock.cli;

import java.io.IOException;
import java.io.PrintWriter;

import org.spoollock.store.Flags;
import org.spoollock.store.mbox.MboxIndex;
import org.spoollock.store.mbox.MboxMailbox;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spoollock list MAILBOX}: one line per message, as c-client sees it. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"Print one line per message: <msgno> <uid> <flags> <size>, as c-client sees the mailbox.",
                "flags: Seen Answered Flagged Deleted Draft, each its letter (S A F D T) or '-'; size: RFC822 size",
                "(CRLF line ends, status headers excluded). Read-only, under the locks c-client takes to parse.",
                "Messages without a stored UID show the UID c-client would assign them (nothing is written)."})
final class ListCommand extends MailboxCommand {

    @Option(names = {"-l", "--long"}, description = "Also print keywords (comma-separated, or '-') and the internal date.")
    boolean longFormat;

    @Override
    public Integer call() throws IOException {
        MboxIndex index;
        try (MboxMailbox m = MboxMailbox.openReadOnly(mailbox, store.mailboxOptions())) {
            index = m.index();
        }
        PrintWriter out = out();
        StringBuilder b = new StringBuilder(64 * Math.min(index.count(), 10000));
        for (int i = 1; i <= index.count(); i++) {
            b.append(i).append(' ').append(index.uid(i)).append(' ').append(Flags.letters(index.flags(i))).append(' ')
                    .append(index.size(i));
            if (longFormat) {
                b.append(' ').append(index.keywords(i).isEmpty() ? "-" : String.join(",", index.keywords(i)));
                b.append(' ').append(index.internalDate(i));
            }
            b.append('\n');
            if (b.length() > 1 << 16) {
                out.print(b);
                b.setLength(0);
            }
        }
        out.print(b);
        out.flush();
        return ExitCodes.OK;
    }
}
