package org.spoollock.lock;

import java.time.Duration;

import org.spoollock.posix.Stat;

/**
 * One look at a mailbox's dot-lock: who holds it, for how long, whether it is stale and whether the
 * holder still runs. Ages are measured against the file server's clock (the ctime of a file created
 * in the same directory) unless that directory is not writable, which {@link #ageFromServerClock} says.
 */
public record DotLockStatus(String lockPath, boolean present, LockHolder holder, Stat stat, Duration age,
                            boolean ageFromServerClock, Duration staleAfter, Liveness holderLiveness) {

    /** Whether the holder named in the lock file still runs. */
    public enum Liveness {
        /** A process with that PID and start time runs on this host. */
        ALIVE,
        /** The lock names this host and that process is gone (or a new process reused the PID). */
        DEAD,
        /** The lock names another host, or no process at all: cannot be checked from here. */
        UNKNOWN
    }

    static DotLockStatus absent(String lockPath, Duration staleAfter) {
        return new DotLockStatus(lockPath, false, null, null, Duration.ZERO, true, staleAfter, Liveness.UNKNOWN);
    }

    /** Stale: unchanged for the stale period, or its holder on this host is gone. */
    public boolean stale() {
        return present && (holderLiveness == Liveness.DEAD || age.compareTo(staleAfter) >= 0);
    }

    /** One line for messages. */
    public String describe() {
        if (!present) {
            return lockPath + " is not held";
        }
        StringBuilder sb = new StringBuilder(lockPath).append(" held by ").append(holder.describe())
                .append(", age ").append(age.toSeconds()).append(" s");
        if (!ageFromServerClock) {
            sb.append(" (local clock)");
        }
        switch (holderLiveness) {
            case ALIVE: sb.append(", holder running"); break;
            case DEAD: sb.append(", holder no longer running"); break;
            default: break;
        }
        if (stale()) {
            sb.append(", stale");
        }
        return sb.toString();
    }
}
