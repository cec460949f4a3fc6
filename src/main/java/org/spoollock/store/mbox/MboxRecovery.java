package org.spoollock.store.mbox;

import java.io.IOException;
import java.nio.file.Path;

import org.spoollock.lock.MailboxLock;
import org.spoollock.store.journal.AppendIntent;

/**
 * {@link org.spoollock.store.journal.Recovery} for mbox and mmdf: messages start at VALID From_ lines, or at
 * mmdf's ^A lines ({@link Framing#messageStart}).
 */
final class MboxRecovery {
    private MboxRecovery() {
    }

    static boolean needed(Path mailbox) {
        return org.spoollock.store.journal.Recovery.needed(mailbox);
    }

    /**
     * Recovers under {@code lock}, shared or exclusive, without letting go of its dot-lock (see
     * {@link MailboxLock#runExclusively}); false if that cannot be done safely with this lock.
     */
    static boolean runHolding(Path mailbox, MailboxLock lock, java.time.Duration timeout, Framing framing)
            throws IOException {
        return lock.runExclusively(timeout, ch -> org.spoollock.store.journal.Recovery.run(mailbox, ch, lock.stat(),
                framing.messageStart()));
    }

    /**
     * The exclusive mailbox lock with any killed spoollock write finished under it, before the caller
     * does or decides anything: every mbox writer takes its lock here. A writer that then refuses its
     * own work (a session handed over meanwhile, a file that is not an mbox) must not release the lock
     * with a dead writer's half message still in place: the next holder may be c-client, procmail or
     * Python, which know nothing of our notes and keep the half message as a message (spooltest/torture
     * at 5104494: a flag session that had handed over refused first, and c-client adopted the half).
     */
    static MailboxLock lockExclusive(Path mailbox, java.time.Duration timeout, org.spoollock.lock.MailboxLockOptions options,
                                     Framing framing) throws IOException {
        MailboxLock lock = MailboxLock.acquire(mailbox, MailboxLock.Mode.EXCLUSIVE, timeout, options);
        boolean finished = false;
        try {
            if (org.spoollock.store.journal.Recovery.needed(mailbox, lock)) {
                run(mailbox, lock, framing);
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
    static void finish(Path mailbox, java.time.Duration timeout, org.spoollock.lock.MailboxLockOptions options,
                       Framing framing) throws IOException {
        lockExclusive(mailbox, timeout, options, framing).release();
    }

    /** Recovers under {@code lock}, which must be exclusive. */
    static String run(Path mailbox, MailboxLock lock, Framing framing) throws IOException {
        if (lock.mode() != MailboxLock.Mode.EXCLUSIVE) {
            throw new IllegalStateException("recovery needs the exclusive lock");
        }
        return org.spoollock.store.journal.Recovery.run(mailbox, lock.channel(), lock.stat(), framing.messageStart());
    }
}
