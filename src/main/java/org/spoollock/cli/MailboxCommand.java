package org.spoollock.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.spoollock.store.Drivers;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxRef;

import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** What the mailbox commands share: the lock and wait options, the MAILBOX argument, their output. */
abstract class MailboxCommand implements Callable<Integer> {
    @Mixin
    StoreOptionsMixin store;

    @Parameters(index = "0", paramLabel = "MAILBOX", description = "[mbox:|tenex:|mtx:|maildir:]PATH: the format is read from"
            + " the file (a Maildir from its directory); a prefix forces it (and chooses it for a new mailbox).")
    String target;

    /** The mailbox's path (without any format prefix), once {@link #ref} has read the argument. */
    Path mailbox;

    /** The MAILBOX argument as a location with its forced driver, if any (sets {@link #mailbox}). */
    MailboxRef ref() {
        MailboxRef r = Drivers.parse(target);
        mailbox = r.path();
        return r;
    }

    /** Opens the MAILBOX argument through its format's driver. */
    Mailbox open(boolean readWrite) throws java.io.IOException {
        return Drivers.open(ref(), readWrite, store.storeOptions());
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Prints "spoollock: warning: message" on standard error. */
    void warn(String message) {
        spec.commandLine().getErr().println("spoollock: warning: " + message);
    }

    /** Prints "spoollock: message" and returns the exit code. */
    int fail(int code, String message) {
        spec.commandLine().getErr().println("spoollock: " + message);
        return code;
    }
}
