package org.spoollock.cli;

import java.io.IOException;
import java.io.PrintWriter;

import org.spoollock.lock.MailboxLock;
import org.spoollock.store.MailboxFormat;
import org.spoollock.store.mbox.MboxCheck;
import org.spoollock.store.mbox.MboxMailbox;
import org.spoollock.store.tenex.TenexIndex;
import org.spoollock.store.tenex.TenexMailbox;

import picocli.CommandLine.Command;

/** {@code spoollock check MAILBOX}: validate. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Validate an mbox under a shared lock, reading only: exit 0 if it is sound (notes may be printed),",
                "65 listing the problems (not an mbox, NUL bytes, a truncated end, headers c-client would warn about,",
                "an interrupted write awaiting recovery)."})
final class CheckCommand extends MailboxCommand {

    @Override
    public Integer call() throws IOException {
        MailboxFormat f = format();
        if (f != MailboxFormat.MBOX) {
            try (TenexMailbox m = TenexMailbox.open(mailbox, tenexFormat(f), false, store.tenexOptions())) {
                out().println(mailbox + ": ok, " + m.index().count() + " message(s) (" + tenexFormat(f).driver() + ")");
                return ExitCodes.OK;
            } catch (TenexIndex.BadTenexMailboxException e) {
                out().println(mailbox + ": problem: " + e.getMessage());
                return ExitCodes.DATAERR;
            }
        }
        MboxCheck c;
        try (MailboxLock lock = MboxMailbox.readLock(mailbox, store.mailboxOptions())) {
            c = MboxCheck.run(lock.channel(), mailbox);
        }
        PrintWriter out = out();
        for (String p : c.problems) {
            out.println(mailbox + ": problem: " + p);
        }
        for (String n : c.notes) {
            out.println(mailbox + ": note: " + n);
        }
        if (c.problems.isEmpty()) {
            out.println(mailbox + ": ok, " + c.messages + " message(s)");
        }
        out.flush();
        return c.problems.isEmpty() ? ExitCodes.OK : ExitCodes.DATAERR;
    }
}
