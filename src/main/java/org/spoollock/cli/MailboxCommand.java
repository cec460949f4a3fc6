package org.spoollock.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** What the mailbox commands share: the lock and wait options, the MAILBOX argument, their output. */
abstract class MailboxCommand implements Callable<Integer> {
    @Mixin
    StoreOptionsMixin store;

    @Parameters(index = "0", paramLabel = "MAILBOX")
    Path mailbox;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Prints "spoollock: message" and returns the exit code. */
    int fail(int code, String message) {
        spec.commandLine().getErr().println("spoollock: " + message);
        return code;
    }
}
