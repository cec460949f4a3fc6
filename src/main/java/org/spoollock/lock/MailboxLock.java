package org.spoollock.lock;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.StampedLock;
import java.util.stream.Collectors;

import org.spoollock.posix.Posix;
import org.spoollock.posix.PosixException;
import org.spoollock.posix.Stat;

/**
 * A mailbox locked in c-client's order: the dot-lock, then flock on the mailbox, then (optionally)
 * a whole-file POSIX lock. All or nothing, under one deadline; released in reverse.
 *
 * <pre>{@code
 * try (MailboxLock lock = MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(30),
 *         MailboxLockOptions.defaults())) {
 *     ... append to mbox through lock.fd() or a channel of your own ...
 * }
 * }</pre>
 *
 * <p>Shared locks hold the dot-lock only while the shared layers are taken, so a long-held read lock
 * never makes c-client wait, and c-client's 5-minute seizure of a dot-lock never hits a reader;
 * with {@link MailboxLockOptions#dotLockForReads} they keep it until released, as c-client keeps it
 * while it parses (the stores' reads do). Writers hold every layer until release.
 *
 * <p>There is no upgrade from shared to exclusive: flock upgrades release the shared lock before
 * taking the exclusive one, a window in which another process can get in. Release and re-acquire,
 * and re-read what you read. A thread holding a shared lock that asks for an exclusive one on the
 * same mailbox gets a {@link LockException} saying so, not a deadlock. The one exception is
 * {@link #runExclusively}, for finishing a dead writer's work: safe only because the dot-lock, which
 * every writer needs, is kept throughout.
 *
 * <p>Threads of one JVM contending for one mailbox queue on an in-memory read-write lock first, so
 * they neither poll the filesystem nor trip over one another's descriptors.
 */
public final class MailboxLock implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MailboxLock.class.getName());
    private static final ConcurrentHashMap<String, StampedLock> IN_JVM = new ConcurrentHashMap<>();
    /** Per thread: how many shared locks it holds on each mailbox, to refuse upgrades instead of deadlocking. */
    private static final ThreadLocal<Map<String, Integer>> SHARED_BY_THREAD = ThreadLocal.withInitial(ConcurrentHashMap::new);
    /** c-client sleeps 5 s after ENOLCK before trying again. */

    /** Shared to read, exclusive to write. */
    public enum Mode { SHARED, EXCLUSIVE }

    private final Posix posix;
    private final Path mailbox;
    private final Mode mode;
    private final String key;
    private final StampedLock inJvm;
    private final long stamp;
    private final int fd;
    private final Stat stat;
    private final Set<LockMethod> held;
    private final FileSystemInfo fileSystem;
    private final Map<String, Integer> sharedOfAcquirer;
    private DotLock dotLock;
    /** In classic fcntl mode: this JVM's one-holder-per-file gate, held while we hold the lock. */
    private java.util.concurrent.Semaphore classicGate;
    private LockState state = LockState.HELD;
    private boolean closed;
    /** A channel on the locked file (same inode, reopened through /proc/self/fd), opened on first use. */
    private java.nio.channels.FileChannel channel;
    /** An O_APPEND descriptor on the locked file, opened on first use ({@link #appendDescriptor}). */
    private int appendFd = -1;

    private MailboxLock(Posix posix, Path mailbox, Mode mode, String key, StampedLock inJvm, long stamp, int fd, Stat stat,
                        Set<LockMethod> held, FileSystemInfo fs, DotLock dotLock, Map<String, Integer> sharedOfAcquirer) {
        this.posix = posix;
        this.mailbox = mailbox;
        this.mode = mode;
        this.key = key;
        this.inJvm = inJvm;
        this.stamp = stamp;
        this.fd = fd;
        this.stat = stat;
        this.held = held;
        this.fileSystem = fs;
        this.dotLock = dotLock;
        this.sharedOfAcquirer = sharedOfAcquirer;
    }

    /**
     * Takes every requested layer, waiting at most {@code timeout} in all (null: forever).
     *
     * @throws LockTimeoutException     a layer stayed held by someone else; the message names the layer and holders
     * @throws LockInterruptedException the thread was interrupted; nothing is left held
     * @throws LockException            the mailbox is missing (and not to be created), or an upgrade was attempted
     * @throws LockSecurityException    a symlink or non-file at the mailbox or lock name
     */
    public static MailboxLock acquire(Path mailbox, Mode mode, Duration timeout, MailboxLockOptions options)
            throws IOException {
        LockWaitEvent event = FlightRecording.on() ? new LockWaitEvent() : null;
        if (event != null) {
            event.begin();
        }
        String outcome = "acquired";
        String detail = null;
        try {
            return acquireTimed(mailbox, mode, timeout, options);
        } catch (IOException | RuntimeException e) {
            outcome = e.getClass().getSimpleName();
            detail = e.getMessage();
            throw e;
        } finally {
            if (event != null && endAndShouldCommit(event)) {
                event.mailbox = mailbox.toString();
                event.mode = mode.name();
                event.outcome = outcome;
                event.detail = detail;
                event.commit();
            }
        }
    }

    private static boolean endAndShouldCommit(LockWaitEvent event) {
        event.end();
        return event.shouldCommit();
    }

    private static MailboxLock acquireTimed(Path mailbox, Mode mode, Duration timeout, MailboxLockOptions options)
            throws IOException {
        long deadline = Backoff.deadlineAfter(timeout);
        Posix posix = Posix.get();
        String key = mailbox.toAbsolutePath().normalize().toString();
        if (mode == Mode.EXCLUSIVE && SHARED_BY_THREAD.get().containsKey(key)) {
            throw new LockException("this thread holds a shared lock on " + mailbox + " and asked for an exclusive one:"
                    + " upgrades are not supported (a flock upgrade lets another process in between); release, re-acquire"
                    + " and re-read");
        }
        StampedLock inJvm = IN_JVM.computeIfAbsent(key, k -> new StampedLock());
        long stamp = inJvmLock(inJvm, mode, deadline, mailbox);
        DotLock dot = null;
        int fd = -1;
        java.util.concurrent.Semaphore classicGate = null;
        Set<LockMethod> held = EnumSet.noneOf(LockMethod.class);
        // A layer that may not be waited for under the dot-lock (KernelLayer.POSIX) is only tried then; when
        // it is busy everything is let go and the whole acquisition starts again after a backoff.
        Backoff layerBusy = new Backoff(TimeUnit.MILLISECONDS.toNanos(8));
        acquisition:
        while (true) {
        try {
            // The dot-lock works on every filesystem; what else works is known once the mailbox is open.
            if (options.methods().contains(LockMethod.DOTLOCK)) {
                try {
                    dot = DotLock.acquire(mailbox, remaining(deadline), options.dotLock());
                    held.add(LockMethod.DOTLOCK);
                } catch (LockDirectoryNotWritableException e) {
                    if (mode != Mode.SHARED || !(e.getCause() instanceof PosixException.ReadOnlyFileSystemException)) {
                        throw e;
                    }
                    // Nothing can be written through a read-only mount, so a reader needs no dot-lock there
                    // (writers through another, writable mount of the same files still meet our flock/POSIX
                    // layer). c-client reads such mailboxes too, warning "Mailbox vulnerable".
                    LOG.log(System.Logger.Level.WARNING, "{0}: read-only file system: reading without the dot-lock",
                            mailbox);
                }
            }
            Opened opened = openMailbox(posix, mailbox, mode, options.createMissing());
            fd = opened.fd();
            final int f = fd;
            Stat st = opened.stat();
            FileSystemInfo fs = FileSystemInfo.forDevice(st.dev(), mailbox, options.methods());
            for (String w : fs.warnings()) {
                LOG.log(System.Logger.Level.WARNING, "{0}: {1}", mailbox, w);
            }
            boolean exclusive = mode == Mode.EXCLUSIVE;
            String name = mailbox.toString();
            for (KernelLayer layer : KernelLayer.values()) {
                if (!fs.effective().contains(layer.method)) {
                    continue;
                }
                if (layer.processWide()) {
                    // within this JVM let one holder at a time (readers too) have this file, and keep it open
                    java.util.concurrent.Semaphore gate = CLASSIC_GATES.computeIfAbsent(st.dev() + ":" + st.ino(),
                            k -> new java.util.concurrent.Semaphore(1, true));
                    enterClassicGate(gate, deadline, mailbox);
                    classicGate = gate; // entered: released on failure below, or by release()
                }
                if (dot == null || layer.waitedForUnderDotLock) {
                    LockWait.until(() -> layer.tryOnce(posix, f, exclusive, name), layer.label, mailbox, st, deadline);
                } else if (!tryUnderDotLock(layer, posix, f, exclusive, mailbox)) {
                    boolean late = deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0;
                    String holders = late ? KernelLocks.on(st).stream().filter(e -> !e.blocked())
                            .map(KernelLocks.Entry::describe).collect(Collectors.joining(", ")) : "";
                    undo(posix, fd, dot, mailbox);
                    fd = -1;
                    dot = null;
                    held.clear();
                    if (classicGate != null) {
                        classicGate.release();
                        classicGate = null;
                    }
                    if (late) {
                        throw new LockTimeoutException("timed out waiting for the " + layer.label + " on " + mailbox
                                + (holders.isEmpty() ? "" : ": held by " + holders), null);
                    }
                    try {
                        layerBusy.sleep(deadline);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new LockInterruptedException("interrupted while waiting for the " + layer.label + " on "
                                + mailbox);
                    }
                    continue acquisition;
                }
                held.add(layer.method);
            }
            if (mode == Mode.SHARED) {
                // Readers hold the dot-lock only while taking the shared layers, as c-client, where
                // those layers keep writers out; where they cannot (network and FUSE filesystems, or
                // no kernel layer at all) the dot-lock is all that stops a writer, so it is kept.
                // Where the caller reads briefly, it keeps the dot-lock throughout, as c-client parses.
                if (dot != null && !options.dotLockForReads() && fs.kernelLocksExcludeOtherHosts(held)) {
                    dot.release();
                    dot = null;
                }
                SHARED_BY_THREAD.get().merge(key, 1, Integer::sum);
            }
            MailboxLock lock = new MailboxLock(posix, mailbox, mode, key, inJvm, stamp, fd, st, held, fs, dot,
                    SHARED_BY_THREAD.get());
            lock.classicGate = classicGate;
            return lock;
        } catch (IOException | RuntimeException | Error e) {
            undo(posix, fd, dot, mailbox);
            if (classicGate != null) {
                classicGate.release();
            }
            inJvm.unlock(stamp);
            throw e;
        }
        }
    }

    private static final ConcurrentHashMap<String, java.util.concurrent.Semaphore> CLASSIC_GATES = new ConcurrentHashMap<>();

    private static void enterClassicGate(java.util.concurrent.Semaphore gate, long deadline, Path mailbox) throws IOException {
        try {
            long wait = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, deadline - System.nanoTime());
            if (!gate.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
                throw new LockTimeoutException("timed out waiting for " + mailbox + ": another thread of this JVM holds"
                        + " its classic fcntl lock", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockInterruptedException("interrupted while waiting for " + mailbox + " (held in this JVM)");
        }
    }

    private static long inJvmLock(StampedLock lock, Mode mode, long deadline, Path mailbox) throws IOException {
        try {
            long wait = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, deadline - System.nanoTime());
            long s = mode == Mode.EXCLUSIVE ? lock.tryWriteLock(wait, TimeUnit.NANOSECONDS)
                    : lock.tryReadLock(wait, TimeUnit.NANOSECONDS);
            if (s == 0) {
                throw new LockTimeoutException("timed out waiting for " + mailbox + ": another thread of this JVM holds it",
                        null);
            }
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockInterruptedException("interrupted while waiting for " + mailbox + " (held in this JVM)");
        }
    }

    private record Opened(int fd, Stat stat) {
    }

    private static Opened openMailbox(Posix posix, Path mailbox, Mode mode, boolean create) throws IOException {
        String path = mailbox.toString();
        int flags = (mode == Mode.EXCLUSIVE ? Posix.O_RDWR : Posix.O_RDONLY) | Posix.O_NOFOLLOW | Posix.O_NONBLOCK
                | Posix.O_CLOEXEC | (create ? Posix.O_CREAT : 0);
        int fd;
        try {
            fd = posix.open(path, flags, 0600);
        } catch (NoSuchFileException e) {
            throw new NoSuchMailboxException("mailbox " + mailbox + " does not exist (create it first, or ask for it to"
                    + " be created: MailboxLockOptions.withCreateMissing, CLI --create)", e);
        } catch (PosixException.SymlinkException e) {
            throw new LockSecurityException("mailbox " + mailbox + " is a symbolic link; refusing to follow it (a link in"
                    + " a spool directory can point a delivery at any file)");
        }
        try {
            Stat st = posix.fstat(fd, path);
            if (!st.isRegularFile()) {
                throw new LockSecurityException("mailbox " + mailbox + " is a " + st.typeName() + ", not a file");
            }
            return new Opened(fd, st);
        } catch (IOException | RuntimeException e) {
            posix.closeQuietly(fd);
            throw e;
        }
    }

    /** One non-blocking try at a layer under the dot-lock; ENOLCK counts as busy (warned), as LockWait retries it. */
    private static boolean tryUnderDotLock(KernelLayer layer, Posix posix, int fd, boolean exclusive, Path mailbox)
            throws FileSystemException {
        try {
            return layer.tryOnce(posix, fd, exclusive, mailbox.toString());
        } catch (PosixException.NoLocksAvailableException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: no {1} available ({2}); retrying", mailbox, layer.label, e.getReason());
            return false;
        }
    }


    private static Duration remaining(long deadline) {
        return deadline == Long.MAX_VALUE ? null : Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /** Undoes a partial acquisition: closing the descriptor drops flock and OFD locks with it. */
    private static void undo(Posix posix, int fd, DotLock dot, Path mailbox) {
        posix.closeQuietly(fd);
        if (dot != null) {
            try {
                dot.release();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not release the dot-lock of " + mailbox, e);
            }
        }
    }

    public Path mailbox() {
        return mailbox;
    }

    public Mode mode() {
        return mode;
    }

    /** The layers actually held (the dot-lock only while held: readers drop it once the rest is taken). */
    public synchronized Set<LockMethod> heldMethods() {
        Set<LockMethod> s = EnumSet.noneOf(LockMethod.class);
        s.addAll(held);
        if (dotLock == null) {
            s.remove(LockMethod.DOTLOCK);
        }
        return Collections.unmodifiableSet(s);
    }

    /** The filesystem and what each method does there. */
    public FileSystemInfo fileSystem() {
        return fileSystem;
    }

    /** The open mailbox descriptor the locks are held on (O_RDWR for exclusive, O_RDONLY for shared). */
    public int fd() {
        return fd;
    }

    /**
     * Checks every layer: the dot-lock is still ours, and the mailbox name still leads to the file
     * our flock and POSIX locks are on (a mailbox replaced by rename leaves them on the old file).
     */
    public synchronized LockState check() throws IOException {
        if (state != LockState.HELD) {
            return state;
        }
        if (dotLock != null && dotLock.check() != LockState.HELD) {
            return state = dotLock.state();
        }
        if (!mailboxStillOurs()) {
            state = LockState.LOST;
        }
        return state;
    }

    /**
     * {@link #check}, as the last look before a write: the dot-lock is also renewed under its breakers'
     * flock ({@link DotLock#confirmFresh}), so that a holder that was stopped longer than the stale period
     * either finds its lock gone or makes it fresh before it writes.
     */
    public synchronized LockState confirmForWrite() throws IOException {
        if (state != LockState.HELD) {
            return state;
        }
        if (dotLock != null && dotLock.confirmFresh() != LockState.HELD) {
            return state = dotLock.state();
        }
        if (!mailboxStillOurs()) {
            state = LockState.LOST;
        }
        return state;
    }

    /** Whether the mailbox name still leads to the file our flock and POSIX locks are on. */
    private boolean mailboxStillOurs() throws FileSystemException {
        Stat now = posix.lstatIfExists(mailbox.toString());
        return now != null && now.sameFile(stat);
    }

    /** Releases in reverse order and says how it ended (the worst of the layers). Idempotent. */
    public synchronized LockState release() throws IOException {
        if (closed) {
            return state;
        }
        closed = true;
        // The dot-lock reports its own end below; here only: is the mailbox name still our file?
        LockState outcome = state == LockState.HELD && !mailboxStillOurs() ? LockState.LOST : state;
        try {
            // The dot-lock looked at while the kernel layers still hold: a peer that took it over while we
            // held them (c-client breaks a lock it judges stale by its own clock, then waits for our flock)
            // goes on once they are let go, and may finish and remove its lock before we looked, so that a
            // lock replaced under us was reported "removed" (spooltest/faults 5.4, 1 run in 4)
            if (dotLock != null && outcome == LockState.HELD && held.stream().anyMatch(m -> m != LockMethod.DOTLOCK)) {
                try {
                    LockState d = dotLock.check();
                    if (d != LockState.HELD) {
                        outcome = d;
                    }
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "looking at the dot-lock of {0}: {1}", mailbox, e);
                }
            }
            KernelLayer[] layers = KernelLayer.values();
            for (int i = layers.length - 1; i >= 0; i--) { // in reverse of the order taken
                if (held.contains(layers[i].method)) {
                    layers[i].unlock(posix, fd, mailbox.toString());
                }
            }
        } finally {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "closing channel on {0}: {1}", mailbox, e);
                }
            }
            posix.closeQuietly(appendFd);
            posix.closeQuietly(fd);
            if (classicGate != null) {
                classicGate.release();
            }
            try {
                if (dotLock != null) {
                    LockState d = dotLock.release();
                    if (outcome == LockState.HELD) {
                        outcome = d;
                    }
                }
            } finally {
                if (mode == Mode.SHARED) {
                    sharedOfAcquirer.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
                }
                inJvm.unlock(stamp);
            }
        }
        state = outcome == LockState.HELD ? LockState.RELEASED : outcome;
        return state;
    }

    @Override
    public void close() throws IOException {
        release();
    }

    /**
     * A channel on exactly the file this lock holds (reopened through {@code /proc/self/fd}, so never a
     * file put in the mailbox's place since), readable, and writable under an exclusive lock. It stays
     * open until the lock is released, and is closed then: closing a second descriptor early would drop
     * classic fcntl locks, which belong to the process and the file.
     */
    public synchronized java.nio.channels.FileChannel channel() throws IOException {
        if (closed) {
            throw new IllegalStateException("lock on " + mailbox + " already released");
        }
        if (channel == null) {
            java.nio.file.Path self = java.nio.file.Path.of("/proc/self/fd/" + fd);
            channel = mode == Mode.EXCLUSIVE
                    ? java.nio.channels.FileChannel.open(self, java.nio.file.StandardOpenOption.READ,
                    java.nio.file.StandardOpenOption.WRITE)
                    : java.nio.channels.FileChannel.open(self, java.nio.file.StandardOpenOption.READ);
        }
        return channel;
    }

    /**
     * A descriptor on exactly the file this lock holds, opened O_WRONLY|O_APPEND, for appends that must
     * not overwrite what others wrote should the lock have been lost (see MboxAppender). Like
     * {@link #channel()} it stays open until the lock is released: closing it early would drop classic
     * fcntl locks.
     */
    public synchronized int appendDescriptor() throws IOException {
        if (closed) {
            throw new IllegalStateException("lock on " + mailbox + " already released");
        }
        if (mode != Mode.EXCLUSIVE) {
            throw new IllegalStateException("appending to " + mailbox + " needs the exclusive lock");
        }
        if (appendFd < 0) {
            appendFd = posix.open("/proc/self/fd/" + fd, Posix.O_WRONLY | Posix.O_APPEND | Posix.O_CLOEXEC, 0);
        }
        return appendFd;
    }

    /** Work done on the locked file with exclusive access (see {@link #runExclusively}). */
    @FunctionalInterface
    public interface ExclusiveAction {
        void run(java.nio.channels.FileChannel writable) throws IOException;
    }

    /**
     * Runs {@code action} with exclusive access to the file, without letting go of the dot-lock: for a
     * reader that finds, once it holds its shared lock, that a writer died mid-write and its work must
     * be finished before anything is read. Releasing the lock to take an exclusive one would leave a
     * moment with no dot-lock, in which c-client, procmail or Python could take the mailbox and see, or
     * rewrite, the half-done state. Here the dot-lock is kept, so no writer can come in (every peer takes
     * the dot-lock to write) while flock goes from shared to exclusive (not atomic in the kernel) and back.
     * An exclusive lock runs the action at once. Returns false, doing nothing, where this is not safe: a
     * shared lock without the dot-lock, or with a POSIX layer (peers such as Debian's Dovecot take that
     * before the dot-lock, so waiting for it while holding the dot-lock could deadlock with them).
     */
    public synchronized boolean runExclusively(Duration timeout, ExclusiveAction action) throws IOException {
        if (closed) {
            throw new IllegalStateException("lock on " + mailbox + " already released");
        }
        if (mode == Mode.EXCLUSIVE) {
            action.run(channel());
            return true;
        }
        if (dotLock == null || held.contains(LockMethod.OFD)) {
            return false;
        }
        long deadline = Backoff.deadlineAfter(timeout);
        boolean flocked = held.contains(LockMethod.FLOCK);
        try {
            if (flocked) {
                LockWait.until(() -> posix.flock(fd, Posix.LOCK_EX | Posix.LOCK_NB, mailbox.toString()), "exclusive flock",
                        mailbox, stat, deadline);
            }
            java.nio.channels.FileChannel rw;
            try {
                rw = java.nio.channels.FileChannel.open(java.nio.file.Path.of("/proc/self/fd/" + fd),
                        java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw org.spoollock.posix.ChannelIo.translate("open for writing", mailbox.toString(), e);
            }
            try (rw) {
                action.run(rw);
            }
        } finally {
            if (flocked) {
                // back to shared: at once (we hold exclusive, or nobody else took it while we asked: only
                // holders that skip the dot-lock could), else within the same allowance
                LockWait.until(() -> posix.flock(fd, Posix.LOCK_SH | Posix.LOCK_NB, mailbox.toString()), "flock", mailbox, stat,
                        Backoff.deadlineAfter(timeout));
            }
        }
        return true;
    }

    /** The locked file's identity and attributes when it was locked. */
    public Stat stat() {
        return stat;
    }

    /** The kernel's view of who else holds flock/POSIX locks on this mailbox (for diagnostics). */
    public List<KernelLocks.Entry> kernelLocks() {
        return KernelLocks.on(stat);
    }

    @Override
    public String toString() {
        return "MailboxLock[" + mailbox + ", " + mode + ", " + heldMethods() + ", " + state + "]";
    }
}
