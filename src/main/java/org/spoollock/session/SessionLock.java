package org.spoollock.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.spoollock.lock.Backoff;
import org.spoollock.lock.FlightRecording;
import org.spoollock.lock.LockInterruptedException;
import org.spoollock.posix.Posix;
import org.spoollock.posix.Stat;

/**
 * c-client's session lock {@code /tmp/.<dev>.<ino>}: one read-write session per mbox at a time
 * (exclusive), or several tenex/mtx readers (shared). A read-write holder writes its PID there so
 * that another process can ask it, with SIGUSR2, to give the mailbox up (the "kiss of death").
 *
 * <pre>{@code
 * SessionOpen open = SessionLock.openReadWrite(mbox, SessionLockOptions.defaults()
 *         .withPolicy(KissPolicy.yieldNow())
 *         .withListener((lock, event, detail) -> { if (event == SessionEvent.GAVE_UP) switchToReadOnly(); }));
 * if (open.readWrite()) { ... } else { log(open.reason()); }
 * }</pre>
 */
public final class SessionLock implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SessionLock.class.getName());

    /** Where the session stands. */
    public enum State { HELD, GAVE_UP, RELEASED }

    /** Retries while asking are this far apart at most, far below c-client's one second. */
    private static final long MAX_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * How long a holder that names no PID is watched before it is taken for a silent session. c-client gives
     * up at once; but a holder has its lock a moment before its PID is in the file, and c-client's tenex
     * and mtx appends hold it without a PID for the length of one append: two sessions opening together, or
     * a session opening beside an append, would be read-only for no reason.
     */
    static final long SILENT_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final Posix posix;
    private final Path mailbox;
    private final String name;
    private final int fd;
    private final boolean exclusive;
    private final boolean silent;
    private final KissPolicy policy;
    private final SessionListener listener;
    private volatile long lastActivity = System.nanoTime();
    private State state = State.HELD;

    private SessionLock(Posix posix, Path mailbox, String name, int fd, boolean exclusive, boolean silent, KissPolicy policy,
                        SessionListener listener) {
        this.posix = posix;
        this.mailbox = mailbox;
        this.name = name;
        this.fd = fd;
        this.exclusive = exclusive;
        this.silent = silent;
        this.policy = policy;
        this.listener = listener;
    }

    /**
     * Opens a read-write session as c-client's mbox driver does: LOCK_EX|LOCK_NB on the session
     * lock; if another process holds it and its file names a PID, send that process SIGUSR2 once
     * and keep trying (every few ms, not c-client's every second) for {@code askFor}; then give up
     * and report read-only. A lock file that names no PID is watched for {@link #SILENT_GRACE_NANOS}
     * (at most {@code askFor}): freed, it is ours; given a PID, that process is asked; still empty, the
     * holder is a silent session and the open is read-only.
     */
    public static SessionOpen openReadWrite(Path mailbox, SessionLockOptions options) throws IOException {
        Posix posix = Posix.get();
        String name = SessionLockFile.nameFor(mailbox, options.directory());
        long now = System.nanoTime();
        long deadline = now + options.askFor().toNanos();
        long silentUntil = now + Math.min(options.askFor().toNanos(), SILENT_GRACE_NANOS);
        Backoff backoff = new Backoff(MAX_POLL_NANOS);
        boolean asked = false;
        long holderPid = 0;
        while (true) {
            SessionLockFile.Attempt a;
            try {
                a = SessionLockFile.lock(posix, name, Posix.LOCK_EX | Posix.LOCK_NB);
            } catch (AccessDeniedException e) {
                return new SessionOpen(null, "session lock " + name + " cannot be opened (" + e.getReason()
                        + "): another user's file is squatting on it; access is read-only", 0, false);
            }
            if (a.fd() >= 0) {
                return new SessionOpen(publish(posix, mailbox, name, a.fd(), options), null, holderPid, asked);
            }
            holderPid = a.holderPid();
            if (!asked) {
                if (holderPid <= 0) {
                    if (System.nanoTime() - silentUntil >= 0) {
                        return new SessionOpen(null, "mailbox is open read-write by a silent session (no PID in " + name
                                + "); access is read-only", 0, false);
                    }
                    pause(backoff, silentUntil, mailbox);
                    continue;
                }
                asked = true;
                posix.kill(holderPid, Posix.SIGUSR2); // like c-client, the result does not matter: we retry either way
                KissOfDeathEvent asking = FlightRecording.on() ? new KissOfDeathEvent() : null;
                if (asking != null && asking.shouldCommit()) {
                    asking.mailbox = mailbox.toString();
                    asking.direction = "asked";
                    asking.pid = holderPid;
                    asking.commit();
                }
                LOG.log(System.Logger.Level.INFO, "trying to get mailbox lock for " + mailbox + " from process " + holderPid);
            }
            if (System.nanoTime() - deadline >= 0) {
                return new SessionOpen(null, "mailbox is open by another process (pid " + holderPid
                        + "), access is read-only", holderPid, true);
            }
            pause(backoff, deadline, mailbox);
        }
    }

    /** A shared session lock (c-client's tenex and mtx drivers take it shared while opening and reading). */
    public static SessionLock acquireShared(Path mailbox, Path directory, Duration timeout) throws IOException {
        return acquireQuiet(mailbox, directory, Posix.LOCK_SH, timeout);
    }

    /** An exclusive session lock without a PID (c-client's tenex/mtx appends and expunges take it so). */
    public static SessionLock acquireExclusive(Path mailbox, Path directory, Duration timeout) throws IOException {
        return acquireQuiet(mailbox, directory, Posix.LOCK_EX, timeout);
    }

    private static SessionLock acquireQuiet(Path mailbox, Path directory, int op, Duration timeout) throws IOException {
        Posix posix = Posix.get();
        String name = SessionLockFile.nameFor(mailbox, directory);
        long deadline = System.nanoTime() + timeout.toNanos();
        Backoff backoff = new Backoff(MAX_POLL_NANOS);
        while (true) {
            SessionLockFile.Attempt a = SessionLockFile.lock(posix, name, op | Posix.LOCK_NB);
            if (a.fd() >= 0) {
                return new SessionLock(posix, mailbox, name, a.fd(), op == Posix.LOCK_EX, true, KissPolicy.refuse(), null);
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new org.spoollock.lock.LockTimeoutException("timed out waiting for session lock " + name + " of "
                        + mailbox + (a.holderPid() > 0 ? " (held by pid " + a.holderPid() + ")" : ""), null);
            }
            pause(backoff, deadline, mailbox);
        }
    }

    /** Writes our PID, as c-client does, but only once the SIGUSR2 handler is in place. */
    private static SessionLock publish(Posix posix, Path mailbox, String name, int fd, SessionLockOptions o)
            throws IOException {
        try {
            boolean silent = o.silent() || !KissOfDeath.install();
            byte[] pid = silent ? new byte[0] : Integer.toString(posix.getpid()).getBytes(StandardCharsets.US_ASCII);
            posix.ftruncate(fd, 0, name);
            if (pid.length > 0) {
                posix.writeFully(fd, pid, name);
            }
            posix.ftruncate(fd, pid.length, name);
            posix.fsync(fd, name);
            SessionLock lock = new SessionLock(posix, mailbox, name, fd, true, silent, o.policy(), o.listener());
            if (!silent) {
                if (!SessionLockFile.atimeWorks(Path.of(name).getParent())) {
                    LOG.log(System.Logger.Level.WARNING, "{0} is on a noatime filesystem: a kiss of death cannot be told"
                            + " from a stray SIGUSR2 there, so requests for {1} will be ignored", name, mailbox);
                }
                lock.rearm();
                KissOfDeath.register(lock);
            }
            return lock;
        } catch (IOException | RuntimeException e) {
            posix.closeQuietly(fd);
            throw e;
        }
    }

    private static void pause(Backoff backoff, long deadline, Path mailbox) throws LockInterruptedException {
        try {
            backoff.sleep(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockInterruptedException("interrupted while opening " + mailbox);
        }
    }

    public Path mailbox() {
        return mailbox;
    }

    /** The session lock's file name, e.g. /tmp/.fe00.16018e. */
    public String name() {
        return name;
    }

    public boolean exclusive() {
        return exclusive;
    }

    /** True when no PID was written: nobody can ask us for the mailbox. */
    public boolean silent() {
        return silent;
    }

    public synchronized State state() {
        return state;
    }

    /** Notes activity now, for the idle policy (ipop3d's "idle for 5 minutes"). */
    public void markActivity() {
        lastActivity = System.nanoTime();
    }

    /** Sets atime back to mtime, so the next read by a requester shows (atime > mtime). We never read it. */
    void rearm() throws FileSystemException {
        Stat st = posix.fstat(fd, name);
        posix.setTimes(fd, st.mtimeNanos(), st.mtimeNanos(), name);
    }

    /** Whether someone read our lock file since we last re-armed it: the mark a requester leaves. */
    boolean wasRead() throws FileSystemException {
        synchronized (this) {
            if (state != State.HELD) {
                return false;
            }
        }
        Stat st = posix.fstat(fd, name);
        return st.atimeNanos() > st.mtimeNanos();
    }

    /** A requester read our lock and signalled: apply the policy. Runs on the dispatcher thread. */
    void onRequest() throws IOException {
        synchronized (this) {
            if (state != State.HELD) {
                return;
            }
            rearm();
        }
        tell(SessionEvent.REQUESTED, "another process asked for " + mailbox);
        boolean give;
        String why;
        switch (policy.kind()) {
            case YIELD:
                give = true;
                why = "policy yield";
                break;
            case IDLE:
                long idle = System.nanoTime() - lastActivity;
                give = idle >= policy.idleFor().toNanos();
                why = "idle " + TimeUnit.NANOSECONDS.toSeconds(idle) + " s, policy " + policy;
                break;
            default:
                give = false;
                why = "policy refuse";
        }
        KissOfDeathEvent received = FlightRecording.on() ? new KissOfDeathEvent() : null;
        if (received != null && received.shouldCommit()) {
            received.mailbox = mailbox.toString();
            received.direction = "received";
            received.given = give;
            received.why = why;
            received.commit();
        }
        if (give) {
            synchronized (this) {
                if (state != State.HELD) {
                    return;
                }
                unlock();
                state = State.GAVE_UP;
            }
            tell(SessionEvent.GAVE_UP, "gave up " + mailbox + " (" + why + "): now read-only");
        } else {
            tell(SessionEvent.KEPT, "kept " + mailbox + " (" + why + ")");
        }
    }

    private void tell(SessionEvent e, String detail) {
        LOG.log(System.Logger.Level.INFO, detail);
        if (listener != null) {
            try {
                listener.onEvent(this, e, detail);
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "session listener failed", ex);
            }
        }
    }

    /** c-client's unlockfd(): remove the file if nobody else holds it, unlock, close. */
    private void unlock() {
        KissOfDeath.unregister(this);
        try {
            if (posix.flock(fd, Posix.LOCK_EX | Posix.LOCK_NB, name)) {
                Stat atName = posix.lstatIfExists(name);
                if (atName != null && atName.sameFile(posix.fstat(fd, name))) {
                    posix.unlinkIfExists(name);
                }
            }
            posix.flock(fd, Posix.LOCK_UN, name);
        } catch (FileSystemException e) {
            LOG.log(System.Logger.Level.WARNING, "releasing session lock " + name, e);
        } finally {
            posix.closeQuietly(fd);
        }
    }

    /** Releases the session (if not already given up). Idempotent. */
    @Override
    public synchronized void close() {
        if (state == State.HELD) {
            unlock();
            state = State.RELEASED;
        }
    }

    @Override
    public String toString() {
        return "SessionLock[" + name + " for " + mailbox + ", " + state() + "]";
    }
}
