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
 * @param dotLockForReads a shared lock keeps the dot-lock until it is released, as c-client keeps it
 *                      while it parses, instead of dropping it once the kernel layers are held: for
 *                      short reads (the stores' parses) that writers excluding us only through the
 *                      dot-lock (Dovecot's fcntl + dot-lock against the cclient profile, procmail) must
 *                      not overlap. Off by default: a long-held read lock would keep every writer out.
 */
public record MailboxLockOptions(Set<LockMethod> methods, DotLockOptions dotLock, boolean createMissing,
                                 boolean dotLockForReads) {

    public MailboxLockOptions {
        Objects.requireNonNull(dotLock, "dotLock");
        if (methods == null || methods.isEmpty()) {
            throw new IllegalArgumentException("at least one lock method is needed");
        }
        methods = EnumSet.copyOf(methods);
    }

    public static MailboxLockOptions defaults() {
        return new MailboxLockOptions(LockProfile.CCLIENT.methods(), DotLockOptions.defaults(), false, false);
    }

    public MailboxLockOptions withProfile(LockProfile profile) {
        return new MailboxLockOptions(profile.methods(), dotLock, createMissing, dotLockForReads);
    }

    public MailboxLockOptions withMethods(Set<LockMethod> m) {
        return new MailboxLockOptions(m, dotLock, createMissing, dotLockForReads);
    }

    public MailboxLockOptions withDotLock(DotLockOptions d) {
        return new MailboxLockOptions(methods, d, createMissing, dotLockForReads);
    }

    public MailboxLockOptions withCreateMissing(boolean yes) {
        return new MailboxLockOptions(methods, dotLock, yes, dotLockForReads);
    }

    public MailboxLockOptions withDotLockForReads(boolean yes) {
        return new MailboxLockOptions(methods, dotLock, createMissing, yes);
    }
}
