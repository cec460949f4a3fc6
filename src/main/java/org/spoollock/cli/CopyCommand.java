package org.spoollock.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;


import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import org.spoollock.store.Drivers;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.TreeCopy;
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

    @Option(names = "--format", paramLabel = "F", completionCandidates = FormatNames.class,
            description = "The target's format: ${COMPLETION-CANDIDATES}.")
    String format;

    /** The formats' names from the drivers themselves, so help, man page and completion list each one there is. */
    static final class FormatNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Drivers.names().iterator();
        }
    }

    @Option(names = "--resume", description = "Continue an interrupted copy into DST.")
    boolean resume;

    @Option(names = "--recursive", description = "SRC is a folder tree (e.g. UW imapd's ~/mail: files and directories of"
            + " any format, sub-directories as levels): copy each folder into the tree DST (a directory, a Maildir++"
            + " root, an IMAP folder under which the tree goes), then print a table of the folders. With --resume, folders"
            + " copied before are verified and kept, one cut short goes on.")
    boolean recursive;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "imap:// and imaps:// mailboxes: the password is this file's first line (default: the"
                    + " environment variable SPOOLLOCK_IMAP_PASSWORD).")
    java.nio.file.Path passwordFile;

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
        if (recursive) {
            return copyTree(to);
        }
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
            r = VerifiedCopy.run(src, dst, new VerifiedCopy.Options(to, resume, tick,
                    store.storeOptions().withPasswordFile(passwordFile)));
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

    /** --recursive: every folder of the tree SRC into the tree DST, one progress bar, a table at the end. */
    private int copyTree(String to) throws IOException {
        org.spoollock.store.StoreOptions so = store.storeOptions().withPasswordFile(passwordFile);
        TreeCopy.Plan plan = TreeCopy.plan(java.nio.file.Path.of(source));
        MailboxRef dst = Drivers.parse(target);
        boolean bar = progress != null ? progress : System.console() != null;
        List<TreeCopy.FolderResult> results;
        ProgressBar pb = null;
        try {
            LongConsumer tick = null;
            if (bar) {
                pb = new ProgressBarBuilder().setTaskName("copy").setStyle(ProgressBarStyle.ASCII).setUnit(" msgs", 1)
                        .setInitialMax(TreeCopy.count(plan, so)).build();
                ProgressBar p = pb;
                tick = p::stepTo;
            }
            results = TreeCopy.run(plan, dst, to, resume, tick, so);
        } finally {
            if (pb != null) {
                pb.close();
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"folder", "from", "to", "messages", "bytes", "result"});
        long messages = 0;
        long bytes = 0;
        int bad = 0;
        Throwable firstError = null;
        for (TreeCopy.FolderResult f : results) {
            VerifiedCopy.Result r = f.result();
            String result;
            if (r == null) {
                result = "FAILED: " + f.error().getMessage();
                firstError = firstError == null ? f.error() : firstError;
                bad++;
            } else if (!r.differences().isEmpty()) {
                result = "NOT verified: " + r.differences().size() + " difference(s), the first: " + r.differences().get(0);
                bad++;
            } else {
                result = "verified" + (r.alreadyThere() > 0 ? " (" + r.alreadyThere() + " there already)" : "");
            }
            rows.add(new String[] {f.folder().name(), f.folder().driver().name(), r == null ? "-" : r.to(),
                    r == null ? "-" : Integer.toString(r.total()), Long.toString(f.folder().bytes()), result});
            if (r != null) {
                messages += r.total();
            }
            bytes += f.folder().bytes();
        }
        for (TreeCopy.Skipped s : plan.skipped()) {
            rows.add(new String[] {s.name(), "-", "-", "-", "-", "skipped: " + s.why()});
        }
        rows.add(new String[] {results.size() + " folder(s)", "", "", Long.toString(messages), Long.toString(bytes),
                bad == 0 ? "all verified" : bad + " not verified"});
        int[] w = new int[5];
        for (String[] row : rows) {
            for (int i = 0; i < 5; i++) {
                w[i] = Math.max(w[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            out.println(String.format(Locale.ROOT, "%-" + w[0] + "s  %-" + w[1] + "s  %-" + w[2] + "s  %" + w[3] + "s  %"
                    + w[4] + "s  %s", (Object[]) row));
        }
        out.flush();
        if (firstError != null) {
            return Main.exitCodeFor(firstError);
        }
        return bad == 0 ? ExitCodes.OK : ExitCodes.DATAERR;
    }
}
