package org.spoollock.lock;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.spoollock.posix.PosixException;
import org.spoollock.posix.Stat;

/** The one wait loop for kernel lock layers (flock, POSIX), for the mailbox lock and for the tenex/mtx store. */
public final class LockWait {
    private static final System.Logger LOG = System.getLogger(LockWait.class.getName());
    private static final long ENOLCK_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private LockWait() {
    }

    /** One non-blocking try: true once the lock is had. */
    @FunctionalInterface
    public interface Attempt {
        boolean tryOnce() throws FileSystemException;
    }

    /**
     * Polls {@code attempt} with backoff (8 ms doubling, capped) until it succeeds or {@code deadline}
     * ({@link Backoff#deadlineAfter}) passes; a timeout names the holders the kernel reports for
     * {@code st} (its /proc/locks entries); ENOLCK is waited out as c-client does.
     */
    public static void until(Attempt attempt, String layer, Path mailbox, Stat st, long deadline) throws IOException {
        Backoff backoff = new Backoff(TimeUnit.MILLISECONDS.toNanos(8));
        PosixException lastNolck = null;
        while (true) {
            try {
                if (attempt.tryOnce()) {
                    return;
                }
            } catch (PosixException.NoLocksAvailableException e) {
                // ENOLCK (an NFS lock manager out of locks or unreachable): c-client warns, pauses 5 s, retries.
                LOG.log(System.Logger.Level.WARNING, "{0}: no {1} available ({2}); retrying", mailbox, layer, e.getReason());
                lastNolck = e;
                if (sleepUntil(Math.min(deadline, System.nanoTime() + ENOLCK_PAUSE_NANOS), mailbox)) {
                    continue;
                }
            }
            if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0) {
                if (lastNolck != null) {
                    throw new LockException("no " + layer + " available on " + mailbox + " until the deadline: "
                            + lastNolck.getReason() + " (on NFS: is the lock manager, rpc.statd/lockd, running?)", lastNolck);
                }
                String holders = KernelLocks.on(st).stream().filter(e -> !e.blocked()).map(KernelLocks.Entry::describe)
                        .collect(Collectors.joining(", "));
                throw new LockTimeoutException("timed out waiting for the " + layer + " on " + mailbox
                        + (holders.isEmpty() ? "" : ": held by " + holders), null);
            }
            try {
                backoff.sleep(deadline);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LockInterruptedException("interrupted while waiting for the " + layer + " on " + mailbox);
            }
        }
    }

    /** Sleeps until the given nanoTime; false if that is already past. */
    private static boolean sleepUntil(long until, Path mailbox) throws LockInterruptedException {
        long left = until - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(left);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockInterruptedException("interrupted while waiting for " + mailbox);
        }
    }
}
