package org.spoollock.cli;

import java.io.IOException;
import java.io.PrintWriter;

import org.spoollock.store.Drivers;
import org.spoollock.store.MailboxDriver;
import org.spoollock.store.MailboxRef;


import picocli.CommandLine.Command;

/** {@code spoollock check MAILBOX}: validate. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Validate a mailbox (mbox, tenex, mtx, maildir) under a shared lock, reading only: exit 0 if it is sound (notes may be printed),",
                "65 listing the problems (not an mbox, NUL bytes, a truncated end, headers c-client would warn about,",
                "an interrupted write awaiting recovery)."})
final class CheckCommand extends MailboxCommand {

    @Override
    public Integer call() throws IOException {
        MailboxRef ref = ref();
        MailboxDriver driver = Drivers.driverFor(ref);
        MailboxDriver.CheckReport c = driver.check(ref, store.storeOptions());
        PrintWriter out = out();
        for (String p : c.problems()) {
            out.println(mailbox + ": problem: " + p);
        }
        for (String n : c.notes()) {
            out.println(mailbox + ": note: " + n);
        }
        if (c.sound()) {
            out.println(mailbox + ": ok, " + c.messages() + " message(s) (" + driver.name() + ")");
        }
        out.flush();
        return c.sound() ? ExitCodes.OK : ExitCodes.DATAERR;
    }
}
