package org.spoollock.cli;

import java.time.Duration;

import org.spoollock.lock.DotLockOptions;

import picocli.CommandLine.Option;

/** Options shared by the commands that take or judge locks. */
final class LockOptionsMixin {
    @Option(names = "--stale-after", paramLabel = "SECS", defaultValue = "300",
            description = "A dot-lock unchanged this long (file server's clock) is broken (default: ${DEFAULT-VALUE}, as c-client).")
    long staleAfterSeconds;

    DotLockOptions dotLockOptions() {
        if (staleAfterSeconds < 1) {
            throw new IllegalArgumentException("--stale-after must be at least 1 second");
        }
        return DotLockOptions.defaults().withStaleAfter(Duration.ofSeconds(staleAfterSeconds));
    }
}
