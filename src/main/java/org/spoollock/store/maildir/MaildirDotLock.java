package org.spoollock.store.maildir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

import org.spoollock.lock.LockTimeoutException;
import org.spoollock.posix.Posix;
import org.spoollock.posix.Stat;
import org.spoollock.posix.Faults;

/**
 * Dovecot's dot-lock on a Maildir control file ({@code dovecot-uidlist.lock}, {@code dovecot-keywords.lock}),
 * as its file-dotlock.c with the "use the lock file as the new file" setting: the lock is a file created
 * with O_EXCL next to the target; the new content is written into it, fsynced, and the lock is renamed
 * over the target, which replaces the file and unlocks in one step. A lock not touched for
 * {@link #STALE} is a dead holder's and is taken over (Dovecot's MAILDIR_UIDLIST_LOCK_STALE_TIMEOUT):
 * so a long holder (a migration) {@link #touch}es it.
 */
final class MaildirDotLock implements AutoCloseable {
    /** Dovecot overrides a uidlist lock older than two minutes. */
    static final Duration STALE = Duration.ofMinutes(2);

    private final Posix posix = Posix.get();
    private final Path target;
    private final Path lock;
    private int fd;

    private MaildirDotLock(Path target, Path lock, int fd) {
        this.target = target;
        this.lock = lock;
        this.fd = fd;
    }

    /** Waits up to {@code timeout} for the lock on {@code target} (taking over a stale one). */
    static MaildirDotLock acquire(Path target, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long sleep = 2;
        while (true) {
            MaildirDotLock l = tryAcquire(target);
            if (l != null) {
                return l;
            }
            if (System.nanoTime() > deadline) {
                throw new LockTimeoutException(target + ".lock: held by another process (Dovecot or spoollock) for"
                        + " longer than " + timeout.toSeconds() + " s; it is taken over once it is "
                        + STALE.toSeconds() + " s old", null);
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted waiting for " + target + ".lock");
            }
            sleep = Math.min(sleep * 2, 100);
        }
    }

    /** The lock if nobody holds it (a stale one is taken over), else null, without waiting. */
    static MaildirDotLock tryAcquire(Path target) throws IOException {
        Posix posix = Posix.get();
        Path lock = target.resolveSibling(target.getFileName() + ".lock");
        String name = lock.toString();
        try {
            int fd = posix.open(name, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW | Posix.O_CLOEXEC,
                    0600);
            MaildirDotLock l = new MaildirDotLock(target, lock, fd);
            try {
                // the lock becomes dovecot-uidlist or dovecot-keywords: the Maildir owner's, as the file it replaces
                MaildirOwner.give(MaildirOwner.of(target.getParent()), lock);
            } catch (IOException | RuntimeException e) {
                l.close();
                throw e;
            }
            return l;
        } catch (FileAlreadyExistsException e) {
            Stat st = posix.lstatIfExists(name);
            boolean stale = st != null && System.currentTimeMillis() - st.mtimeNanos() / 1_000_000L > STALE.toMillis();
            // a killed migration's uidlist lock need not wait out the two minutes: its process is known gone
            boolean deadMigration = !stale && st != null && target.getFileName().toString().equals(MaildirUidList.NAME)
                    && MaildirImportIntent.heldByDeadMigration(target.getParent(), st);
            if (stale || deadMigration) {
                // a dead holder's: remove it and race for a new one (whoever loses sees EEXIST again)
                if (deadMigration) {
                    MaildirImportIntent.adopt(target.getParent());
                }
                posix.unlinkIfExists(name);
            }
            return null;
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(target.getParent().toString(), null, "the Maildir's directory is missing");
        }
    }

    /** Keeps a long-held lock from looking stale. */
    void touch() throws IOException {
        posix.touch(fd, lock.toString());
    }

    /** Writes {@code content} into the lock, fsyncs it and renames it over the target: replaced and unlocked. */
    void replace(byte[] content) throws IOException {
        String name = lock.toString();
        posix.writeFully(fd, content, name);
        posix.fsync(fd, name);
        Faults.point("maildir.uidlist.written");
        posix.close(fd, name);
        fd = -1;
        posix.rename(name, target.toString());
    }

    /**
     * Replaces the target with {@code content} and keeps the lock (a long holder's change others may see
     * now): written into tmp/ and renamed over the target, so readers, who take no lock, see the old
     * file or the new one. Fsynced before the rename (once per migration, at its start): after a power
     * cut the name could otherwise survive without its content, an empty uidlist that no reader accepts.
     */
    void replaceHolding(byte[] content) throws IOException {
        Path tmp = target.getParent().resolve("tmp").resolve(target.getFileName() + "." + posix.getpid());
        String t = tmp.toString();
        int f = posix.open(t, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_TRUNC | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0600);
        try {
            MaildirOwner.give(MaildirOwner.of(target.getParent()), tmp);
            posix.writeFully(f, content, t);
            posix.fsync(f, t);
        } finally {
            posix.closeQuietly(f);
        }
        posix.rename(t, target.toString());
    }

    /** Lets go without replacing the target. */
    @Override
    public void close() throws IOException {
        if (fd >= 0) {
            posix.closeQuietly(fd);
            fd = -1;
            posix.unlinkIfExists(lock.toString());
        }
    }
}
