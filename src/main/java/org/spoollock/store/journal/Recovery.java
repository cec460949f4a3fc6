package org.spoollock.store.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import org.spoollock.lock.MailboxLock;
import org.spoollock.posix.Stat;
import org.spoollock.posix.Faults;
import org.spoollock.store.MailboxChangedException;

/**
 * Finishes what a killed spoollock process left beside a mailbox: a committed rewrite journal is
 * applied (the "after" state), an uncommitted one discarded (the "before" state), and a delivery
 * cut short is cut out (a complete one is kept), always keeping whatever other programs appended
 * since. The caller holds the mailbox exclusively and runs this before it reads or writes anything.
 */
public final class Recovery {
    private static final System.Logger LOG = System.getLogger(Recovery.class.getName());

    private Recovery() {
    }

    /**
     * Whether anything is left to recover (two stats: cheap enough for every open). An uncommitted
     * journal ({@code .tmp}) does not count: the mailbox was not touched; {@link #run} and the next
     * rewrite remove it.
     */
    public static boolean needed(Path mailbox) {
        return Files.exists(Journal.pathFor(mailbox)) || Files.exists(Journal.appendIntentFor(mailbox));
    }

    /**
     * As {@link #needed(Path)}, asked while {@code lock} holds the mailbox. Where this client may cache
     * that a name is absent (NFS, FUSE: {@link org.spoollock.lock.FileSystemInfo#mayCacheAbsentNames}),
     * a note or journal that a killed writer made via another client can stay invisible to stat for as
     * long as that cache lasts; the torture over NFS saw deliverers append after a partial message
     * whose note they did not see (and replace that note with theirs), leaving it for good. There,
     * under the dot-lock, each name is asked of the server by an exclusive create, which it decides
     * whatever the client cached, and which no other spoollock makes without the dot-lock: EEXIST
     * means the file is there; otherwise the empty file made is removed. Three more calls to the
     * server per name; none on local filesystems.
     */
    public static boolean needed(Path mailbox, MailboxLock lock) throws IOException {
        if (needed(mailbox)) {
            return true;
        }
        if (!lock.fileSystem().mayCacheAbsentNames()
                || !lock.heldMethods().contains(org.spoollock.lock.LockMethod.DOTLOCK)) {
            return false;
        }
        return ServerProbe.exists(Journal.pathFor(mailbox)) || ServerProbe.exists(Journal.appendIntentFor(mailbox));
    }

    /** Finishes an interrupted write under its own exclusive lock (format-specific). */
    @FunctionalInterface
    public interface Finisher {
        void finish() throws IOException;
    }

    /** Takes a mailbox lock (a {@link MailboxLock#acquire} call). */
    @FunctionalInterface
    public interface Taker {
        MailboxLock take() throws IOException;
    }

    /** Finishes an interrupted write under a lock already held (format-specific); false if it cannot. */
    @FunctionalInterface
    public interface InPlace {
        boolean finish(MailboxLock held) throws IOException;
    }

    /**
     * The lock {@code take} gives, with every write a killed spoollock process left behind finished
     * first by {@code finish}. A writer that held the lock while we waited for it may have died
     * mid-write (its lock then broken by us as a dead holder's), so once the lock is held we look
     * again, and finish the write without letting go of the lock ({@code inPlace}): releasing it would
     * give c-client, procmail or Python, which know nothing of our journals, a moment to take the
     * mailbox in its half-done state (spooltest/torture caught Python reading it, and the next rewrite
     * would make the damage permanent). Where that cannot be done, release, finish and take the lock
     * anew (up to 3 times; then the lock is returned anyway, and a reader sees what a peer would).
     * Every reader and {@code spoollock lock} come through here.
     */
    public static MailboxLock lockFinished(Path mailbox, Finisher finish, Taker take, InPlace inPlace) throws IOException {
        for (int attempt = 0; ; attempt++) {
            if (needed(mailbox)) {
                finish.finish();
            }
            MailboxLock lock = take.take();
            boolean left;
            try {
                left = needed(mailbox, lock);
            } catch (IOException | RuntimeException e) {
                lock.release();
                throw e;
            }
            if (attempt >= 3 || !left) {
                return lock;
            }
            try {
                if (inPlace != null && inPlace.finish(lock)) {
                    return lock;
                }
            } catch (IOException | RuntimeException e) {
                lock.release();
                throw e;
            }
            lock.release();
        }
    }

    /**
     * Recovers the mailbox open on {@code ch} (identity {@code st}); {@code starts} tells where a
     * message of its format begins. Returns what was done (also logged as a warning), or null.
     */
    public static String run(Path mailbox, FileChannel ch, Stat st, AppendIntent.MessageStart starts) throws IOException {
        StringBuilder done = new StringBuilder();
        Path j = Journal.pathFor(mailbox);
        Path tmp = j.resolveSibling(j.getFileName() + ".tmp");
        if (Files.deleteIfExists(tmp)) {
            done.append("discarded an uncommitted rewrite journal (the mailbox had not been touched); ");
        }
        Path intent = Journal.appendIntentFor(mailbox);
        try {
            if (Files.exists(j) && Files.size(j) == 0) {
                // A committed journal is never empty (written and fsynced before it gets its name): this is
                // the server probe's file (needed(Path, MailboxLock)), left by a kill or a power cut between
                // its create and its unlink
                Files.delete(j);
                done.append("removed an empty journal (a look at the server cut short; nothing to do)").append("; ");
            } else if (Files.exists(j)) {
                done.append(Replay.run(mailbox, ch, st, j)).append("; ");
            }
            if (Files.exists(intent)) {
                Faults.point("recovery.looked"); // between the look and the read (tests stop a recoverer here)
                done.append(AppendIntent.recover(mailbox, ch, st, intent, starts)).append("; ");
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // Under our exclusive lock nobody else touches these files; one that vanishes between our look
            // and our read was finished by a process that broke our lock while we were stopped (SIGSTOP, a
            // frozen VM) longer than the stale period: nothing of ours was done, and our lock is gone
            throw new MailboxChangedException(mailbox + ": " + e.getFile() + " vanished while this process was"
                    + " about to finish that interrupted write: another process, which broke this one's lock while it"
                    + " was stopped, finished it; nothing done, try again");
        }
        if (done.length() == 0) {
            return null;
        }
        String what = mailbox + ": recovered: " + done.substring(0, done.length() - 2);
        LOG.log(System.Logger.Level.WARNING, what);
        org.spoollock.store.WriteEvent e = org.spoollock.lock.FlightRecording.on() ? new org.spoollock.store.WriteEvent() : null;
        if (e != null && e.shouldCommit()) {
            e.mailbox = mailbox.toString();
            e.kind = "recovery";
            e.detail = done.substring(0, done.length() - 2);
            e.commit();
        }
        return what;
    }
}
