package org.spoollock.session;

import java.io.IOException;
import java.nio.file.Path;

import org.spoollock.posix.Posix;
import org.spoollock.posix.Stat;

/**
 * One look at a mailbox's session lock without disturbing it.
 *
 * @param name      the lock file's name
 * @param present   whether it exists
 * @param held      whether someone holds it (flock), as far as /proc/locks tells
 * @param pid       the PID written in it; 0 when none (silent, or shared holders); -1 when it could not
 *                  be read without looking like a requester (see {@link #describe})
 * @param pidAlive  whether that process runs
 */
public record SessionStatus(String name, boolean present, boolean held, long pid, boolean pidAlive) {

    /** Looks at the session lock of a mailbox; reading uses O_NOATIME so the holder does not take it for a request. */
    public static SessionStatus of(Path mailbox, Path directory) throws IOException {
        Posix posix = Posix.get();
        String name = SessionLockFile.nameFor(mailbox, directory);
        Stat st = posix.lstatIfExists(name);
        if (st == null) {
            return new SessionStatus(name, false, false, 0, false);
        }
        boolean held = !org.spoollock.lock.KernelLocks.on(st).isEmpty();
        long pid = st.isRegularFile() ? SessionLockFile.peekPid(posix, name) : 0;
        boolean alive = pid > 0 && posix.processState(pid) != Posix.ProcessState.GONE;
        return new SessionStatus(name, true, held, pid, alive);
    }

    public String describe() {
        if (!present) {
            return name + ": no session";
        }
        if (!held) {
            return name + ": left behind, nobody holds it";
        }
        if (pid == -1) {
            return name + ": held (PID not read: only the file's owner or root can read it without looking like a request)";
        }
        if (pid == 0) {
            return name + ": held by a silent or shared session (no PID)";
        }
        return name + ": held read-write by pid " + pid + (pidAlive ? " (running)" : " (not running)");
    }
}
