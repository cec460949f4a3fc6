package org.spoollock.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import org.spoollock.lock.MailboxLock;
import org.spoollock.store.mbox.MboxCheck;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code spoollock check MAILBOX}: validate. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Validate an mbox under a shared lock, reading only: exit 0 if it is sound (notes may be printed),",
                "65 listing the problems (not an mbox, NUL bytes, a truncated end, headers c-client would warn about,",
                "an interrupted write awaiting recovery)."})
final class CheckCommand implements Callable<Integer> {
    @Mixin
    StoreOptionsMixin store;

    @Parameters(index = "0", paramLabel = "MAILBOX")
    Path mailbox;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        MboxCheck c;
        try (MailboxLock lock = MailboxLock.acquire(mailbox, MailboxLock.Mode.SHARED,
                Duration.ofSeconds(store.timeoutSeconds), store.lockOptions.mailboxLockOptions())) {
            c = MboxCheck.run(lock.channel(), mailbox);
        }
        PrintWriter out = spec.commandLine().getOut();
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
