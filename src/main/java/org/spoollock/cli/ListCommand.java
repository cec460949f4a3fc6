package org.spoollock.cli;

import java.io.IOException;
import java.io.PrintWriter;

import java.time.ZonedDateTime;
import java.util.List;

import org.spoollock.store.Flags;
import org.spoollock.store.MailboxFormat;
import org.spoollock.store.tenex.TenexIndex;
import org.spoollock.store.tenex.TenexMailbox;
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
        PrintWriter out = out();
        StringBuilder b = new StringBuilder(1 << 16);
        MailboxFormat f = format();
        if (f != MailboxFormat.MBOX) {
            try (TenexMailbox m = TenexMailbox.open(mailbox, tenexFormat(f), false, store.tenexOptions())) {
                TenexIndex index = m.index();
                for (int i = 1; i <= index.count(); i++) {
                    line(b, out, i, index.uid(i), index.flags(i), m.size(i), index.keywords(i), index.internalDate(i));
                }
            }
        } else {
            MboxIndex index;
            try (MboxMailbox m = MboxMailbox.openReadOnly(mailbox, store.mailboxOptions())) {
                index = m.index();
            }
            for (int i = 1; i <= index.count(); i++) {
                line(b, out, i, index.uid(i), index.flags(i), index.size(i), index.keywords(i), index.internalDate(i));
            }
        }
        out.print(b);
        out.flush();
        return ExitCodes.OK;
    }

    private void line(StringBuilder b, PrintWriter out, int msgno, long uid, int flags, long size, List<String> keywords,
                      ZonedDateTime date) {
        b.append(msgno).append(' ').append(uid).append(' ').append(Flags.letters(flags)).append(' ').append(size);
        if (longFormat) {
            b.append(' ').append(keywords.isEmpty() ? "-" : String.join(",", keywords)).append(' ').append(date);
        }
        b.append('\n');
        if (b.length() > 1 << 16) {
            out.print(b);
            b.setLength(0);
        }
    }
}
