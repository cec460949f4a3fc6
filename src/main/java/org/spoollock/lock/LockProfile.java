package org.spoollock.lock;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Named sets of lock methods, for the peers a mailbox is shared with. */
public enum LockProfile {
    /** c-client's own: dot-lock, then flock. The default. Does not exclude fcntl/lockf-only peers. */
    CCLIENT(EnumSet.of(LockMethod.DOTLOCK, LockMethod.FLOCK)),
    /**
     * For Debian's Dovecot mbox defaults (mbox_write_locks = fcntl dotlock): dot-lock and a POSIX lock. Dovecot
     * takes the POSIX lock first; MailboxLock never waits for it while holding the dot-lock, so the orders mix.
     */
    DOVECOT(EnumSet.of(LockMethod.DOTLOCK, LockMethod.OFD)),
    /** Every method: excludes c-client, Dovecot, Python, procmail and liblockfile at once. */
    ALL(EnumSet.allOf(LockMethod.class));

    private final Set<LockMethod> methods;

    LockProfile(Set<LockMethod> methods) {
        this.methods = methods;
    }

    public Set<LockMethod> methods() {
        return EnumSet.copyOf(methods);
    }

    public static LockProfile parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown lock profile '" + s + "' (known: cclient, dovecot, all)");
        }
    }

    /** Parses a comma-separated list like "dotlock,flock,ofd". */
    public static Set<LockMethod> parseMethods(String list) {
        Set<LockMethod> set = EnumSet.noneOf(LockMethod.class);
        for (String part : list.split(",")) {
            if (!part.isBlank()) {
                set.add(LockMethod.parse(part));
            }
        }
        if (set.isEmpty()) {
            throw new IllegalArgumentException("no lock methods given");
        }
        return set;
    }
}
