package org.spoollock.lock;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.spoollock.posix.Faults;
import org.spoollock.posix.Posix;
import org.spoollock.posix.PosixException;
import org.spoollock.posix.Stat;

/**
 * One acquisition of a dot-lock: c-client's NFS-safe creation, plus waiting with backoff, stale
 * breaking measured on the file server's clock, and race-free breaking among spoollock processes.
 */
final class DotLockAcquirer {
    private static final System.Logger LOG = System.getLogger(DotLock.class.getName());
    /** How often, at most, a waiter re-reads an unchanged lock file to judge staleness. */
    private static final long RECHECK_NANOS = 250_000_000L;
    /** A break lock older than this (or than the stale period, if shorter) was left by a breaker that died. */
    private static final Duration BREAK_STALE_MAX = Duration.ofSeconds(30);

    private final Posix posix = Posix.get();
    private final Path mailbox;
    private final DotLockOptions options;
    private final String lockPath;

    DotLockAcquirer(Path mailbox, DotLockOptions options) {
        this.mailbox = mailbox;
        this.options = options;
        this.lockPath = LockFiles.lockPathOf(mailbox);
    }

    /** deadline: System.nanoTime() value, Long.MAX_VALUE for none, Long.MIN_VALUE for a single try. */
    DotLock acquire(long deadline) throws IOException {
        // Keyed by the path as given, not resolved (that would cost a readlink per component on every
        // acquisition): two spellings of one directory get two gates, which is still correct, since
        // their hitching posts differ too and the file system arbitrates between them.
        InProcessGate gate = InProcessGate.forLock(Path.of(lockPath).toAbsolutePath().normalize().toString());
        if (!gate.enter(deadline, lockPath)) {
            throw timeout("another thread of this JVM holds it");
        }
        try {
            return acquireFile(deadline, gate);
        } catch (IOException | RuntimeException | Error e) {
            gate.leave();
            throw e;
        }
    }

    private DotLock acquireFile(long deadline, InProcessGate gate) throws IOException {
        LockHolder self = LockHolder.self();
        byte[] content = self.render(Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()));
        String hitch = HitchingPosts.nameFor(posix, lockPath);
        int fd;
        try {
            fd = createHitchingPost(hitch, content);
        } catch (LockDirectoryNotWritableException e) {
            if (options.helper() == null) {
                throw e;
            }
            return acquireThroughHelper(deadline, gate, new DotlockfileHelper(options.helper()));
        }
        int lockFd = -1;
        try {
            Stat mine = posix.fstat(fd, hitch);
            Backoff backoff = new Backoff(options.maxPoll().toNanos());
            long lastIno = -1;
            long lastCtime = -1;
            long lastJudged = 0;
            boolean justCreated = true;
            while (true) {
                if (!justCreated) {
                    // The new lock must look as young as it is. Where the filesystem shows no change time
                    // of its own (sshfs: SFTP has none, ctime is the mtime, in whole seconds) a link does
                    // not freshen it, and a hitching post last touched a while ago would appear, to
                    // other hosts' breakers and to c-client, as a lock already that old.
                    posix.touch(fd, hitch);
                }
                justCreated = false;
                lockFd = link(hitch, fd, mine, content);
                if (lockFd >= 0) {
                    Stat held = lockFd == fd ? mine : posix.fstat(lockFd, lockPath);
                    return new DotLock(posix, lockPath, lockFd, held, self, content, gate, options, null);
                }
                Stat cur = posix.lstatIfExists(lockPath);
                if (cur == null) {
                    continue; // released between our link and lstat: try again at once
                }
                if (cur.isSymlink()) {
                    throw new LockSecurityException("refusing to follow a symbolic link at lock name " + lockPath
                            + " (remove it after checking who planted it)");
                }
                long now = System.nanoTime();
                boolean changed = cur.ino() != lastIno || cur.ctimeNanos() != lastCtime;
                if (changed || now - lastJudged >= RECHECK_NANOS) {
                    lastIno = cur.ino();
                    lastCtime = cur.ctimeNanos();
                    lastJudged = now;
                    Broken b = breakIfStale(fd, hitch, content);
                    if (b.kind() == Broken.Kind.TAKEN_OVER) {
                        lockFd = fd;
                        // the break logged and swept after the lock was ours: touch it again, so the
                        // renewals the lock starts now are timed from its file's real age (a failure
                        // here is left to them: they check and report the lock as they go)
                        try {
                            posix.touch(fd, hitch);
                        } catch (FileSystemException e) {
                            LOG.log(System.Logger.Level.DEBUG, "could not touch " + lockPath + ": " + e.getMessage());
                        }
                        return new DotLock(posix, lockPath, fd, mine, self, content, gate, options, null);
                    }
                    if (b.kind() == Broken.Kind.TAKEN_OVER_IN_PLACE) {
                        lockFd = b.fd();
                        return new DotLock(posix, lockPath, lockFd, b.stat(), self, content, gate, options, null);
                    }
                    if (b.kind() == Broken.Kind.GONE) {
                        continue;
                    }
                }
                if (deadline == Long.MIN_VALUE || now - deadline >= 0) {
                    throw timeout(null);
                }
                try {
                    backoff.sleep(deadline);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LockInterruptedException("interrupted while waiting for " + lockPath);
                }
            }
        } finally {
            // The hitching post's name goes in every case; its descriptor stays open only as our lock.
            try {
                posix.unlinkIfExists(hitch);
            } catch (FileSystemException e) {
                // one line, as every message (e.g. the directory became unwritable while we waited);
                // a stack trace here reached an MDA's stderr without --debug
                LOG.log(System.Logger.Level.WARNING, "could not remove hitching post " + hitch + " (" + e.getMessage()
                        + "): remove it by hand");
            }
            if (lockFd != fd) {
                posix.closeQuietly(fd);
            }
        }
    }

    /**
     * Where we cannot create files in the spool directory, the setgid helper creates and removes the
     * lock. We still keep a read-only descriptor of it: we own the file, so renewal (touch) and the
     * validity checks work as for our own locks. The helper is a process per attempt, so polling is
     * slower: 50 ms doubling to 1 s.
     */
    private DotLock acquireThroughHelper(long deadline, InProcessGate gate, DotlockfileHelper helper) throws IOException {
        long sleepMs = 50;
        try {
            while (true) {
                if (helper.tryLock(lockPath)) {
                    LockFiles.Observation o = LockFiles.observe(posix, lockPath);
                    if (o == null) {
                        throw new LockException(options.helper() + " reported success but " + lockPath + " does not exist");
                    }
                    byte[] written = posix.readAtMost(o.fd(), LockHolder.MAX_READ, lockPath);
                    return new DotLock(posix, lockPath, o.fd(), o.stat(), o.holder(), written, gate, options, helper);
                }
                if (deadline == Long.MIN_VALUE || System.nanoTime() - deadline >= 0) {
                    throw timeout(null);
                }
                long left = deadline == Long.MAX_VALUE ? sleepMs : TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                Thread.sleep(Math.max(1, Math.min(sleepMs, left)));
                sleepMs = Math.min(1000, sleepMs * 2);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockInterruptedException("interrupted while waiting for " + lockPath);
        }
    }

    /** Creates our hitching post with our identity in it, mode 0666 whatever the umask (as c-client). */
    private int createHitchingPost(String hitch, byte[] content) throws IOException {
        int fd;
        try {
            fd = posix.open(hitch, Posix.O_RDWR | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0666);
        } catch (PosixException.ReadOnlyFileSystemException e) {
            // not a permission problem: the advice below (modes, setgid helpers) would mislead
            throw new LockDirectoryNotWritableException("cannot create the dot-lock for " + mailbox + ": directory "
                    + Path.of(hitch).toAbsolutePath().getParent() + " is on a read-only file system (EROFS)", e);
        } catch (AccessDeniedException e) {
            Path dir = Path.of(hitch).toAbsolutePath().getParent();
            throw new LockDirectoryNotWritableException("cannot create the dot-lock for " + mailbox + ": directory "
                    + dir + " is not writable for this user (" + e.getReason() + "). Make it writable for"
                    + " the users who deliver mail (c-client expects mode 1777, Debian uses 2775 root:mail"
                    + " with setgid mail programs), or lock through liblockfile's setgid dotlockfile"
                    + " (DotLockOptions.withHelper, CLI --helper /usr/bin/dotlockfile).", e);
        } catch (NoSuchFileException e) {
            LockFiles.directoryOf(mailbox); // throws the clear "directory does not exist" error
            throw e;
        } catch (FileAlreadyExistsException e) {
            Stat st = posix.lstatIfExists(hitch);
            throw new LockSecurityException("hitching-post name " + hitch + " is already taken by a "
                    + (st == null ? "file that vanished" : st.typeName()) + "; it contains our PID, so someone"
                    + " planted it: refusing to use it");
        }
        try {
            posix.writeFully(fd, content, hitch);
            posix.fchmod(fd, 0666, hitch);
            return fd;
        } catch (IOException | RuntimeException e) {
            // e.g. ENOSPC for our identity on a full disk: the name we just created (O_EXCL) goes too
            posix.closeQuietly(fd);
            try {
                posix.unlinkIfExists(hitch);
            } catch (FileSystemException u) {
                e.addSuppressed(u);
            }
            throw e;
        }
    }

    /**
     * Links the hitching post to the lock name and returns the descriptor of our lock file, or -1
     * when someone else holds the name. Success is a 0 from link, or evidence that the link happened
     * although it reported failure (NFS retransmits): a link count of 2 on the hitching post, or the
     * lock name now naming its inode. Where the filesystem has no hard links (link fails with EPERM,
     * as on FAT) this falls back, as c-client does, to creating the lock name with O_EXCL.
     */
    private int link(String hitch, int fd, Stat mine, byte[] content) throws IOException {
        int rc;
        try {
            rc = posix.link(hitch, lockPath);
        } catch (AccessDeniedException e) {
            return createExclusive(content);
        }
        if (rc == 0 || posix.fstat(fd, hitch).nlink() == 2) {
            return fd;
        }
        Stat cur = posix.lstatIfExists(lockPath);
        return cur != null && cur.sameFile(mine) ? fd : -1;
    }

    private int createExclusive(byte[] content) throws IOException {
        int fd;
        try {
            fd = posix.open(lockPath, Posix.O_RDWR | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0666);
        } catch (FileAlreadyExistsException e) {
            return -1;
        } catch (AccessDeniedException e) {
            // sshfs answers EPERM, not EEXIST, when another client created the name after our lookup
            if (posix.lstatIfExists(lockPath) != null) {
                return -1;
            }
            throw e;
        }
        try {
            posix.writeFully(fd, content, lockPath);
            posix.fchmod(fd, 0666, lockPath);
            return fd;
        } catch (IOException | RuntimeException e) {
            posix.closeQuietly(fd);
            posix.unlinkIfExists(lockPath);
            throw e;
        }
    }

    /**
     * Breaks the current lock if it is stale: unchanged for the stale period on the file server's
     * clock, or (when so configured) naming a dead process on this host. On a local filesystem it
     * is replaced by our hitching post in one rename, so the name is never free in between: a peer
     * that cannot finish a killed writer's work (Python, c-client, procmail) must not get the lock
     * before we have. Elsewhere (see {@link FileSystemInfo#renameReplacesAtomically}) it is taken over in
     * place ({@link #takeOverInPlace}); only if that cannot be done (another user's file in a sticky
     * directory) is it unlinked and our hitching post linked at once, so such a peer may get there first,
     * in that moment only.
     *
     * <p>Race-free among spoollock processes, also on different hosts of a network filesystem:
     * breakers take turns through the break lock {@code <lock>.break}, which {@code link} creates
     * atomically on the file server (flock, taken too, serialises with a renewing or releasing holder
     * on this host only: on sshfs or NFS each client has its own). Holding it, the breaker reads the
     * lock name again and removes it only if it still holds the very lock judged stale: same bytes,
     * size and times. Identity by (device, inode) is not enough, since sshfs numbers inodes per path:
     * a fresh lock that another host linked in after breaking the old one has the old one's number.
     * A second breaker therefore either waits for the break lock or, once it has it, finds the
     * name changed and backs off.
     */
    private Broken breakIfStale(int hitchFd, String hitch, byte[] hitchContent) throws IOException {
        LockFiles.Observation o = LockFiles.observe(posix, lockPath);
        if (o == null) {
            return Broken.GONE; // gone already: retry the link at once
        }
        try {
            // The hitching post is our private file: touching it reads the server's clock.
            posix.touch(hitchFd, hitch);
            Stat hitchStat = posix.fstat(hitchFd, hitch);
            long serverNow = hitchStat.ctimeNanos();
            DotLockStatus status = LockFiles.status(posix, lockPath, o, serverNow, options.staleAfter());
            boolean dead = options.breakDeadHolders() && status.holderLiveness() == DotLockStatus.Liveness.DEAD;
            boolean old = status.age().compareTo(options.staleAfter()) >= 0;
            if (!dead && !old) {
                return Broken.NO;
            }
            if (!LockFiles.tryFlock(posix, o.fd(), lockPath)) {
                return Broken.NO; // another breaker, or the holder renewing or releasing: look again later
            }
            if (!takeBreakLock(hitch, hitchContent, serverNow)) {
                return Broken.NO; // another breaker (on any host) is at it: look again later
            }
            try {
                LockFiles.Observation now = LockFiles.observe(posix, lockPath);
                if (now == null) {
                    return Broken.GONE; // released or broken meanwhile: retry the link at once
                }
                try {
                    if (!o.sameLockAs(now)) {
                        return Broken.NO; // renewed, or replaced by another holder's lock: not ours to break
                    }
                } finally {
                    posix.closeQuietly(now.fd());
                }
                Faults.point("lock.break.judged"); // the harness stops a breaker here (spooltest/sshfs-check f)
                // Our hitching post becomes the lock: give it the server's "now" (its last touch, above,
                // read the clock before this whole sequence; where ctime is only the mtime, as on sshfs,
                // a lock linked from it would look that much older, and another host could break it
                // as stale at once: SshfsBreakRaceIT saw two winners that way).
                posix.touch(hitchFd, hitch);
                Broken result = Broken.GONE;
                if (FileSystemInfo.renameReplacesAtomically(hitchStat.dev(), hitch)) {
                    try {
                        posix.rename(hitch, lockPath);
                        result = Broken.TAKEN_OVER;
                    } catch (FileSystemException e) {
                        // cannot replace it here after all: free the name and race for it as usual
                    }
                }
                if (result.kind() == Broken.Kind.GONE) {
                    result = takeOverInPlace(now, hitchContent);
                }
                if (result.kind() == Broken.Kind.GONE) {
                    if (!posix.unlinkIfExists(lockPath)) {
                        return Broken.GONE; // released by its holder this instant
                    }
                    // link at once, before giving up our turn: the name is free only for this moment
                    // (success by the return code alone: our hitching post's link count is 2 now,
                    // the break lock being the other name)
                    try {
                        if (posix.link(hitch, lockPath) == 0) {
                            result = Broken.TAKEN_OVER;
                        }
                    } catch (FileSystemException e) {
                        // e.g. no hard links here: the caller's link falls back to O_EXCL
                    }
                }
                LOG.log(System.Logger.Level.WARNING, "broke {0} lock {1} held by {2} ({3} s old)",
                        dead ? "abandoned" : "stale", lockPath, o.holder().describe(), status.age().toSeconds());
                LockBreakEvent broke = FlightRecording.on() ? new LockBreakEvent() : null;
                if (broke != null && broke.shouldCommit()) {
                    broke.lock = lockPath;
                    broke.reason = dead ? "abandoned" : "stale";
                    broke.holder = o.holder().describe();
                    broke.ageSeconds = status.age().toSeconds();
                    broke.commit();
                }
                if (dead) {
                    HitchingPosts.sweepDead(posix, Path.of(lockPath)); // a dead locker may have left others
                }
                return result;
            } finally {
                releaseBreakLock(hitchContent);
            }
        } finally {
            posix.closeQuietly(o.fd()); // also drops the flock
        }
    }

    /**
     * Where rename cannot replace the lock in one step (network filesystems), a dead or stale lock is
     * taken over without freeing its name: our identity written into the very file, which is then
     * ours. Without this, Python's mailbox (polling every 10 ms) got the name between our unlink and
     * link and read a killed writer's half message that only we can cut out (spooltest/torture --nfs at
     * 7a77a5e). A live holder of the old lock (stopped, then resumed) finds its inode still there with
     * other bytes in it: on these filesystems a spoollock holder judges its lock by its bytes
     * ({@link DotLock}), so it sees it taken; the breaker holds the lock file's flock (an NFS lock on the
     * server) while it writes, which the holder's last look before a write waits for. False (nothing
     * changed) when the file at the name is no longer the one judged, or cannot be written: the caller
     * breaks it as usual.
     *
     * @return the lock file made ours, or {@link Broken#GONE} if nothing changed
     */
    private Broken takeOverInPlace(LockFiles.Observation judged, byte[] content) {
        int fd;
        try {
            fd = posix.open(lockPath, Posix.O_RDWR | Posix.O_NOFOLLOW | Posix.O_NONBLOCK | Posix.O_CLOEXEC, 0);
        } catch (FileSystemException e) {
            return Broken.GONE;
        }
        try {
            Stat st = posix.fstat(fd, lockPath);
            if (!st.isRegularFile() || !st.sameFile(judged.stat()) || !canRemoveLater(st)) {
                posix.closeQuietly(fd);
                return Broken.GONE;
            }
            // never empty in between: our bytes first, then the rest of the dead holder's cut off
            posix.writeFully(fd, content, lockPath);
            posix.ftruncate(fd, content.length, lockPath);
            return Broken.inPlace(fd, posix.fstat(fd, lockPath));
        } catch (FileSystemException e) {
            // half written is still a lock (ours, fresh): free the name as a break does
            posix.closeQuietly(fd);
            return Broken.GONE;
        }
    }

    /**
     * Whether we may unlink a file of {@code st}'s owner in the lock's directory when we release: in a
     * sticky directory (c-client's 1777 spool) only its owner, the directory's owner or root may. A lock
     * taken over there from another user could not be released, so it is broken the usual way instead.
     */
    private boolean canRemoveLater(Stat st) throws FileSystemException {
        Stat dir = posix.stat(Path.of(lockPath).toAbsolutePath().getParent().toString());
        return mayUnlink(posix.geteuid(), st, dir);
    }

    /** unlink(2)'s rule for user {@code uid}, given write permission on the directory: the sticky bit's. */
    static boolean mayUnlink(int uid, Stat file, Stat dir) {
        return uid == 0 || file.uid() == uid || (dir.mode() & 01000) == 0 || dir.uid() == uid;
    }

    /**
     * What {@link #breakIfStale} did: nothing to break yet, the name is free now, or we hold the lock
     * (our hitching post renamed or linked to the name, or the old lock file taken over in place: then
     * {@code fd} and {@code stat} are that file's, after our write).
     */
    private record Broken(Kind kind, int fd, Stat stat) {
        enum Kind { NO, GONE, TAKEN_OVER, TAKEN_OVER_IN_PLACE }

        static final Broken NO = new Broken(Kind.NO, -1, null);
        static final Broken GONE = new Broken(Kind.GONE, -1, null);
        static final Broken TAKEN_OVER = new Broken(Kind.TAKEN_OVER, -1, null);

        static Broken inPlace(int fd, Stat stat) {
            return new Broken(Kind.TAKEN_OVER_IN_PLACE, fd, stat);
        }
    }

    /** The name breakers take turns through; no other mail program uses it. */
    private String breakPath() {
        return lockPath + ".break";
    }

    /**
     * Takes the break lock by linking our hitching post to its name (so it names us, with our
     * acquisition token), or creating it with O_EXCL where the filesystem has no hard links. One
     * left by a breaker that died (on this host) or that is older than the stale period (at most
     * {@link #BREAK_STALE_MAX}: a break takes milliseconds) is removed first, after the same
     * same-bytes-and-times check as for the lock itself.
     */
    private boolean takeBreakLock(String hitch, byte[] content, long serverNow) throws IOException {
        String breakPath = breakPath();
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                if (posix.link(hitch, breakPath) == 0) {
                    return true;
                }
            } catch (AccessDeniedException e) {
                // no hard links here, or (sshfs) the name was created by another client after our lookup
                int fd;
                try {
                    fd = posix.open(breakPath, Posix.O_RDWR | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW
                            | Posix.O_CLOEXEC, 0666);
                } catch (FileAlreadyExistsException | AccessDeniedException taken) {
                    fd = -1; // (sshfs says EPERM where another client created the name after our lookup)
                }
                if (fd >= 0) {
                    try {
                        posix.writeFully(fd, content, breakPath);
                        return true;
                    } finally {
                        posix.closeQuietly(fd);
                    }
                }
            }
            LockFiles.Observation b = LockFiles.observe(posix, breakPath);
            if (b == null) {
                continue; // its breaker just finished: try again
            }
            try {
                if (java.util.Arrays.equals(b.data(), content)) {
                    return true; // our link did happen (an NFS retransmit reported EEXIST)
                }
                Duration staleAfter = options.staleAfter().compareTo(BREAK_STALE_MAX) < 0 ? options.staleAfter() : BREAK_STALE_MAX;
                DotLockStatus st = LockFiles.status(posix, breakPath, b, serverNow, staleAfter);
                boolean abandoned = st.holderLiveness() == DotLockStatus.Liveness.DEAD || st.age().compareTo(staleAfter) >= 0;
                if (!abandoned || attempt > 0) {
                    return false;
                }
                LockFiles.Observation again = LockFiles.observe(posix, breakPath);
                if (again != null) {
                    try {
                        if (!b.sameLockAs(again)) {
                            return false; // another breaker removed it and took its turn
                        }
                    } finally {
                        posix.closeQuietly(again.fd());
                    }
                    posix.unlinkIfExists(breakPath);
                    LOG.log(System.Logger.Level.WARNING, "removed break lock {0} left by {1} ({2} s old)",
                            breakPath, b.holder().describe(), st.age().toSeconds());
                }
            } finally {
                posix.closeQuietly(b.fd());
            }
        }
        return false;
    }

    /** Removes the break lock if it is still ours (a breaker stalled past its stale time may have lost it). */
    private void releaseBreakLock(byte[] content) throws IOException {
        String breakPath = breakPath();
        LockFiles.Observation b = LockFiles.observe(posix, breakPath);
        if (b == null) {
            return;
        }
        try {
            if (java.util.Arrays.equals(b.data(), content)) {
                posix.unlinkIfExists(breakPath);
            }
        } finally {
            posix.closeQuietly(b.fd());
        }
    }

    private LockTimeoutException timeout(String why) {
        DotLockStatus status = null;
        try {
            status = LockFiles.inspect(mailbox, options.staleAfter());
        } catch (IOException e) {
            // the message below still names the lock
        }
        String holderText = status != null && status.present() ? status.describe() : lockPath + " is held";
        return new LockTimeoutException("timed out waiting for " + lockPath + ": " + holderText
                + (why == null ? "" : " (" + why + ")"), status);
    }
}
