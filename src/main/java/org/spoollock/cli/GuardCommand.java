package org.spoollock.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.spoollock.guard.SpoolGuardian;
import org.spoollock.lmtp.ServiceLog;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spoollock guard DIR...}: the spool guardian, for sites that do not run the LMTP service. */
@Command(name = "guard", mixinStandardHelpOptions = true,
        description = {"Watch spool directories and finish the work of killed spoollock writers (a half delivery,",
                "an interrupted rewrite, their dead dot-locks) as soon as they die, before c-client, procmail or",
                "Python take the mailbox (c-client would keep a half message as a message after its 300 s).",
                "Runs in the foreground, logging to standard error; SIGTERM or SIGINT stops it (exit 0).",
                "With --once: one sweep, then exit (for cron). The LMTP service runs one for its spool.",
                "See docs/guard.md."})
final class GuardCommand implements Callable<Integer> {
    @Mixin
    StoreOptionsMixin store;

    @Parameters(paramLabel = "DIR", arity = "1..*", description = "Spool directories to guard (e.g. /var/mail).")
    List<Path> dirs;

    @Option(names = "--sweep-every", paramLabel = "SECS", defaultValue = "60",
            description = "List every directory whole this often, besides watching it (default: ${DEFAULT-VALUE}).")
    long sweepSeconds;

    @Option(names = "--once", description = "One sweep: finish what dead writers left now, then exit (0; 75 if"
            + " some mailbox could not be finished).")
    boolean once;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (sweepSeconds <= 0) {
            return fail(ExitCodes.USAGE, "--sweep-every must be positive");
        }
        ServiceLog log = new ServiceLog(System.err, "guard");
        SpoolGuardian.Options options = SpoolGuardian.Options.defaults(store.storeOptions())
                .withSweepEvery(Duration.ofSeconds(sweepSeconds));
        try {
            if (once) {
                int[] failed = {0};
                int n = SpoolGuardian.sweepOnce(dirs, options, (event, kv) -> {
                    if (event.equals("failed")) {
                        failed[0]++;
                    }
                    log.log(event, kv);
                });
                log.log("swept", "finished", n, "failures", failed[0]);
                return failed[0] == 0 ? ExitCodes.OK : ExitCodes.TEMPFAIL;
            }
            CountDownLatch stop = new CountDownLatch(1);
            for (String sig : new String[] {"TERM", "INT"}) {
                org.spoollock.posix.SignalHandlers.handle(sig, stop::countDown);
            }
            try (SpoolGuardian g = SpoolGuardian.start(dirs, options, log::log)) {
                stop.await();
            }
            return ExitCodes.OK;
        } catch (IllegalArgumentException e) {
            return fail(ExitCodes.USAGE, e.getMessage());
        }
    }

    private int fail(int code, String message) {
        spec.commandLine().getErr().println("spoollock: " + message);
        return code;
    }
}
