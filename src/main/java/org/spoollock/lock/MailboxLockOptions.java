package org.spoollock.lock;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * How a {@link MailboxLock} is taken.
 *
 * @param methods       which layers (default: c-client's, dot-lock + flock)
 * @param dotLock       options for the dot-lock layer
 * @param createMissing create the mailbox (mode 0600) if it does not exist, under the dot-lock
 */
public record MailboxLockOptions(Set<LockMethod> methods, DotLockOptions dotLock, boolean createMissing) {

    public MailboxLockOptions {
        Objects.requireNonNull(dotLock, "dotLock");
        if (methods == null || methods.isEmpty()) {
            throw new IllegalArgumentException("at least one lock method is needed");
        }
        methods = EnumSet.copyOf(methods);
    }

    public static MailboxLockOptions defaults() {
        return new MailboxLockOptions(LockProfile.CCLIENT.methods(), DotLockOptions.defaults(), false);
    }

    public MailboxLockOptions withProfile(LockProfile profile) {
        return new MailboxLockOptions(profile.methods(), dotLock, createMissing);
    }

    public MailboxLockOptions withMethods(Set<LockMethod> m) {
        return new MailboxLockOptions(m, dotLock, createMissing);
    }

    public MailboxLockOptions withDotLock(DotLockOptions d) {
        return new MailboxLockOptions(methods, d, createMissing);
    }

    public MailboxLockOptions withCreateMissing(boolean yes) {
        return new MailboxLockOptions(methods, dotLock, yes);
    }
}
