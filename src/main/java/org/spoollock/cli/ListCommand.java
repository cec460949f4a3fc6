package org.spoollock.cli;

import java.io.IOException;
import java.io.PrintWriter;

import java.util.List;

import org.spoollock.store.Flags;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MessageIndex;

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
        try (Mailbox m = open(false)) {
            print(m.index(), m::size, b, out);
        }
        out.print(b);
        out.flush();
        return ExitCodes.OK;
    }

    /** RFC822 size of a message (tenex reads the text for it, so it may fail). */
    @FunctionalInterface
    private interface Size {
        long of(int msgno) throws IOException;
    }

    private void print(MessageIndex x, Size size, StringBuilder b, PrintWriter out) throws IOException {
        for (int i = 1; i <= x.count(); i++) {
            b.append(i).append(' ').append(x.uid(i)).append(' ').append(Flags.letters(x.flags(i))).append(' ')
                    .append(size.of(i));
            if (longFormat) {
                List<String> keywords = x.keywords(i);
                b.append(' ').append(keywords.isEmpty() ? "-" : String.join(",", keywords)).append(' ')
                        .append(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(x.internalDate(i)));
            }
            b.append('\n');
            if (b.length() > 1 << 16) {
                out.print(b);
                b.setLength(0);
            }
        }
    }
}
