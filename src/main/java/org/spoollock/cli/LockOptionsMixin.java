package org.spoollock.cli;

import java.time.Duration;

import java.util.Set;

import org.spoollock.lock.DotLockOptions;
import org.spoollock.lock.LockMethod;
import org.spoollock.lock.LockProfile;
import org.spoollock.lock.MailboxLockOptions;

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

    @Option(names = "--profile", paramLabel = "P", description = "Lock methods by peer: cclient (dotlock+flock, default),"
            + " dovecot (dotlock+POSIX), all (dotlock+flock+POSIX).")
    String profile;

    @Option(names = "--methods", paramLabel = "LIST", description = "Explicit lock methods, e.g. dotlock,flock,ofd.")
    String methods;

    @Option(names = "--session-dir", paramLabel = "DIR", defaultValue = "/tmp",
            description = "Where session locks live (default: ${DEFAULT-VALUE}, as c-client).")
    java.nio.file.Path sessionDir;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    DotLockOptions dotLockOptions() {
        if (staleAfterSeconds < 1) {
            throw new ParameterException(mixee.commandLine(), "--stale-after must be at least 1 second");
        }
        return DotLockOptions.defaults().withStaleAfter(Duration.ofSeconds(staleAfterSeconds)).withHelper(helper);
    }

    Set<LockMethod> lockMethods() {
        if (profile != null && methods != null) {
            throw new ParameterException(mixee.commandLine(), "give --profile or --methods, not both");
        }
        try {
            if (methods != null) {
                return LockProfile.parseMethods(methods);
            }
            return (profile == null ? LockProfile.CCLIENT : LockProfile.parse(profile)).methods();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(mixee.commandLine(), e.getMessage());
        }
    }

    MailboxLockOptions mailboxLockOptions() {
        return MailboxLockOptions.defaults().withDotLock(dotLockOptions()).withMethods(lockMethods());
    }
}
