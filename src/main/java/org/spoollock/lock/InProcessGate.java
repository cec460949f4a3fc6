package org.spoollock.lock;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One permit per lock file within this JVM. Threads of one JVM queue here, without polling, and the
 * next one is woken the moment the holder releases; only the thread holding the permit polls the
 * file system. It also keeps two threads of one process from sharing a hitching-post name.
 */
final class InProcessGate {
    private static final ConcurrentHashMap<String, InProcessGate> GATES = new ConcurrentHashMap<>();

    private final Semaphore permit = new Semaphore(1, true);
    private volatile Thread holder;

    static InProcessGate forLock(String canonicalLockPath) {
        return GATES.computeIfAbsent(canonicalLockPath, k -> new InProcessGate());
    }

    /** Waits up to the deadline (System.nanoTime based; Long.MIN_VALUE: do not wait). */
    boolean enter(long deadlineNanos, String lockPath) throws LockInterruptedException, LockException {
        if (holder == Thread.currentThread()) {
            throw new LockException("this thread already holds " + lockPath
                    + "; dot-locks are not reentrant (a second acquisition would wait for itself)");
        }
        boolean got;
        try {
            if (deadlineNanos == Long.MIN_VALUE) {
                got = permit.tryAcquire();
            } else {
                got = permit.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockInterruptedException("interrupted while waiting for " + lockPath + " (held in this JVM)");
        }
        if (got) {
            holder = Thread.currentThread();
        }
        return got;
    }

    void leave() {
        holder = null;
        permit.release();
    }
}
