package org.spoollock.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;


import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import org.spoollock.store.Drivers;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.VerifiedCopy;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spoollock copy [--format F] [--resume] SRC DST}: migrate a mailbox, verified. */
@Command(name = "copy", mixinStandardHelpOptions = true,
        description = {"Copy every message of SRC into DST (new or empty), with flags, keywords, internal dates and, into",
                "an mbox, UIDs; the format of DST is --format, its prefix, or SRC's. SRC is read under its shared locks and",
                "DST written under its exclusive ones, so servers keep running. At the end every message is compared; exit 0",
                "if DST holds SRC exactly, 65 listing the differences. After an interruption, --resume checks that DST holds",
                "the first messages of SRC and copies the rest, so each message is there once. Exit 73 if DST is not empty",
                "(without --resume) or not the beginning of this copy."})
final class CopyCommand implements Callable<Integer> {
    @Mixin
    StoreOptionsMixin store;

    @Option(names = "--format", paramLabel = "F", description = "The target's format: mbox, tenex, mtx or maildir.")
    String format;

    @Option(names = "--resume", description = "Continue an interrupted copy into DST.")
    boolean resume;

    @Option(names = "--progress", negatable = true, description = "A progress bar (default: when stderr is a terminal).")
    Boolean progress;

    @Parameters(index = "0", paramLabel = "SRC")
    String source;

    @Parameters(index = "1", paramLabel = "DST")
    String target;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (format != null && !Drivers.names().contains(format.toLowerCase(Locale.ROOT))) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format must be one of " + Drivers.names());
        }
        String to = format == null ? null : format.toLowerCase(Locale.ROOT);
        MailboxRef src = Drivers.parse(source);
        MailboxRef dst = Drivers.parse(target);
        boolean bar = progress != null ? progress : System.console() != null;
        PrintWriter out = spec.commandLine().getOut();
        VerifiedCopy.Result r;
        ProgressBar pb = null;
        try {
            LongConsumer tick = null;
            if (bar) {
                pb = new ProgressBarBuilder().setTaskName("copy").setStyle(ProgressBarStyle.ASCII).setUnit(" msgs", 1)
                        .setInitialMax(-1).build();
                ProgressBar p = pb;
                tick = done -> p.stepTo(done);
            }
            r = VerifiedCopy.run(src, dst, new VerifiedCopy.Options(to, resume, tick, store.storeOptions()));
        } catch (VerifiedCopy.TargetNotEmptyException e) {
            spec.commandLine().getErr().println("spoollock: " + e.getMessage());
            return ExitCodes.CANTCREAT;
        } finally {
            if (pb != null) {
                pb.close();
            }
        }
        out.println("copied " + r.copied() + " of " + r.total() + " message(s) from " + r.from() + " " + src.location()
                + " to " + r.to() + " " + dst.location()
                + (r.alreadyThere() > 0 ? " (" + r.alreadyThere() + " were there already)" : ""));
        for (String n : r.notes()) {
            out.println("note: " + n);
        }
        for (String d : r.differences()) {
            out.println("difference: " + d);
        }
        out.println(r.differences().isEmpty() ? "verified: the target holds every message, flag and date of the source"
                : "NOT verified: " + r.differences().size() + " difference(s)");
        out.flush();
        return r.differences().isEmpty() ? ExitCodes.OK : ExitCodes.DATAERR;
    }
}
