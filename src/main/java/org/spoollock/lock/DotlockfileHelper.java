package org.spoollock.lock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * liblockfile's setgid-mail {@code dotlockfile}, used to create and remove the dot-lock where the
 * spool directory is not writable for us (Debian's /var/mail is 2775 root:mail), as c-client uses
 * its setgid {@code mlock}. dotlockfile only lets a user lock their own mailbox in the spool
 * directory, writes our PID into the lock ({@code -p}: the calling process), and breaks stale locks
 * by its own rules (holder PID dead, or older than 5 minutes).
 */
final class DotlockfileHelper {
    /** dotlockfile's exit status when the lock is held by someone else and retries are exhausted. */
    private static final int HELD = 4;

    private final String path;

    DotlockfileHelper(String path) {
        this.path = path;
    }

    /** One attempt: true if we now hold the lock, false if someone else does. */
    boolean tryLock(String lockPath) throws IOException, InterruptedException {
        Result r = run("-p", "-r", "0", "-l", lockPath);
        if (r.status == 0) {
            return true;
        }
        if (r.status == HELD) {
            return false;
        }
        throw new LockException(path + " could not lock " + lockPath + " (exit " + r.status + ")"
                + (r.err.isBlank() ? "" : ": " + r.err.trim())
                + (r.status == 2 ? "; setgid dotlockfile only locks the user's own mailbox in the spool directory" : ""));
    }

    void unlock(String lockPath) throws IOException {
        try {
            Result r = run("-u", lockPath);
            if (r.status != 0) {
                throw new LockException(path + " could not remove " + lockPath + " (exit " + r.status + ")"
                        + (r.err.isBlank() ? "" : ": " + r.err.trim()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockInterruptedException("interrupted while removing " + lockPath + " through " + path);
        }
    }

    private record Result(int status, String err) {
    }

    private Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(path);
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new LockException("cannot run the dot-lock helper " + path + ": " + e.getMessage(), e);
        }
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new LockException(path + " did not finish within 30 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            throw e;
        }
        return new Result(p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
