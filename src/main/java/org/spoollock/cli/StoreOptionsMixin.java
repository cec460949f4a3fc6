package org.spoollock.cli;

import java.time.Duration;

import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.StoreOptions;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options of the commands that read or write a mailbox's messages: the lock options, plus waits. */
final class StoreOptionsMixin {
    @Mixin
    LockOptionsMixin lockOptions;

    @Option(names = "--timeout", paramLabel = "SECS", defaultValue = "360",
            description = "Give up waiting for the mailbox's locks after this long (default: ${DEFAULT-VALUE}; c-client"
                    + " seizes a dot-lock after about 300 s).")
    long timeoutSeconds;

    @Option(names = "--kiss-wait", paramLabel = "SECS", defaultValue = "15",
            description = "Read-write commands: how long another session may take to hand the mailbox over once asked"
                    + " (c-client's kiss of death; default: ${DEFAULT-VALUE}, as c-client).")
    long kissWaitSeconds;

    @Option(names = "--keywords", paramLabel = "LIST", split = ",",
            description = "tenex/mtx: the keyword list their flag bits stand for (default: \"set keywords\" in"
                    + " /etc/c-client.cf, as c-client reads it).")
    java.util.List<String> keywords;

    /** The options of any format's open or delivery, from these flags. */
    StoreOptions storeOptions() {
        return StoreOptions.defaults()
                .withLock(lockOptions.mailboxLockOptions())
                .withTimeout(Duration.ofSeconds(timeoutSeconds))
                .withSession(SessionLockOptions.defaults().withDirectory(lockOptions.sessionDir)
                        .withAskFor(Duration.ofSeconds(kissWaitSeconds)))
                .withKeywords(keywords);
    }
}
