package org.spoollock.session;

/**
 * The outcome of opening a mailbox read-write: a held session lock, or read-only access and why.
 *
 * @param lock      the session lock when read-write, else null
 * @param reason    why read-only (null when read-write)
 * @param holderPid the PID found in the other holder's lock file (0: none, a silent session)
 * @param asked     whether we sent that holder SIGUSR2
 */
public record SessionOpen(SessionLock lock, String reason, long holderPid, boolean asked) {
    public boolean readWrite() {
        return lock != null;
    }
}
