package org.spoollock.cli;

import java.time.Duration;

import org.spoollock.lock.DotLockOptions;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Options shared by the commands that take or judge locks. */
final class LockOptionsMixin {
    @Option(names = "--stale-after", paramLabel = "SECS", defaultValue = "300",
            description = "A dot-lock unchanged this long (file server's clock) is broken (default: ${DEFAULT-VALUE}, as c-client).")
    long staleAfterSeconds;

    @Option(names = "--helper", paramLabel = "PATH",
            description = "Where the spool directory is not writable for us, create and remove the dot-lock through this"
                    + " setgid helper (liblockfile's dotlockfile, e.g. /usr/bin/dotlockfile), as c-client uses mlock.")
    String helper;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    DotLockOptions dotLockOptions() {
        if (staleAfterSeconds < 1) {
            throw new ParameterException(mixee.commandLine(), "--stale-after must be at least 1 second");
        }
        return DotLockOptions.defaults().withStaleAfter(Duration.ofSeconds(staleAfterSeconds)).withHelper(helper);
    }
}
