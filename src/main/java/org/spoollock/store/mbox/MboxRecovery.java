package org.spoollock.store.mbox;

import java.io.IOException;
import java.nio.file.Path;

import org.spoollock.lock.MailboxLock;
import org.spoollock.store.journal.AppendIntent;

/** {@link org.spoollock.store.journal.Recovery} for mbox: messages start at VALID From_ lines. */
final class MboxRecovery {
    /** Where another program's message starts: a VALID From_ line here (1), or after one newline (2). */
    static final AppendIntent.MessageStart FROM_LINE = (b, from, n) -> FromLine.isValid(b, from, n) ? 1
            : (n > from && b[from] == '\n' && FromLine.isValid(b, from + 1, n) ? 2 : 0);

    private MboxRecovery() {
    }

    static boolean needed(Path mailbox) {
        return org.spoollock.store.journal.Recovery.needed(mailbox);
    }

    /**
     * Recovers under {@code lock}, shared or exclusive, without letting go of its dot-lock (see
     * {@link MailboxLock#runExclusively}); false if that cannot be done safely with this lock.
     */
    static boolean runHolding(Path mailbox, MailboxLock lock, java.time.Duration timeout) throws IOException {
        return lock.runExclusively(timeout, ch -> org.spoollock.store.journal.Recovery.run(mailbox, ch, lock.stat(),
                FROM_LINE));
    }

    /**
     * The exclusive mailbox lock with any killed spoollock write finished under it, before the caller
     * does or decides anything: every mbox writer takes its lock here. A writer that then refuses its
     * own work (a session handed over meanwhile, a file that is not an mbox) must not release the lock
     * with a dead writer's half message still in place: the next holder may be c-client, procmail or
     * Python, which know nothing of our notes and keep the half message as a message (spooltest/torture
     * at 5104494: a flag session that had handed over refused first, and c-client adopted the half).
     */
    static MailboxLock lockExclusive(Path mailbox, java.time.Duration timeout, org.spoollock.lock.MailboxLockOptions options)
            throws IOException {
        MailboxLock lock = MailboxLock.acquire(mailbox, MailboxLock.Mode.EXCLUSIVE, timeout, options);
        boolean finished = false;
        try {
            if (needed(mailbox)) {
                run(mailbox, lock);
            }
            finished = true;
            return lock;
        } finally {
            if (!finished) {
                lock.release(); // whatever was thrown, as try-with-resources would (tests' injected crashes too)
            }
        }
    }

    /**
     * Finishes any killed writer's work and nothing else: the writers' exclusive lock (which finishes it
     * before it is held), let go at once. Nothing is parsed.
     */
    static void finish(Path mailbox, java.time.Duration timeout, org.spoollock.lock.MailboxLockOptions options)
            throws IOException {
        lockExclusive(mailbox, timeout, options).release();
    }

    /** Recovers under {@code lock}, which must be exclusive. */
    static String run(Path mailbox, MailboxLock lock) throws IOException {
        if (lock.mode() != MailboxLock.Mode.EXCLUSIVE) {
            throw new IllegalStateException("recovery needs the exclusive lock");
        }
        return org.spoollock.store.journal.Recovery.run(mailbox, lock.channel(), lock.stat(), FROM_LINE);
    }
}
