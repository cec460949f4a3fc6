package org.spoollock.guard;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.spoollock.lock.DotLock;
import org.spoollock.lock.DotLockStatus;
import org.spoollock.store.Drivers;
import org.spoollock.store.MailboxDriver;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.StorageErrors;
import org.spoollock.store.StorageException;
import org.spoollock.store.StoreOptions;
import org.spoollock.store.journal.Recovery;

/**
 * Finishes the work of dead spoollock writers in spool directories without waiting for another
 * spoollock process to come by. A writer killed mid-delivery leaves its dot-lock, its append note
 * and half a message; the next spoollock process to lock the mailbox cuts the half out, but
 * c-client, procmail and Python know nothing of our notes: c-client breaks the dead lock after 300 s
 * and keeps the half message as a message. The guardian watches the directories (inotify, through
 * {@link WatchService}) for the files writers create while they work, keeps an eye on each until
 * it is gone, and as soon as the lock's holder is dead (its PID gone from this host) or the lock
 * is stale, finishes the work as any spoollock open would ({@link MailboxDriver#recover}), which
 * also breaks the dead lock. A slow sweep of every directory catches what the events miss (an
 * overflow, a network filesystem whose changes on other hosts raise no event, leftovers from before
 * the guardian started).
 *
 * <p>It takes each mailbox's lock only when its holder is provably dead or stale: a live writer is
 * never disturbed, and an idle spool costs nothing but the sweep.
 */
public final class SpoolGuardian implements AutoCloseable {
    /**
     * @param store         lock options (the stale period, the lock methods) and formats, as every writer's
     * @param sweepEvery    how often every directory is listed whole
     * @param recheckEvery  how often a mailbox with a leftover whose writer still runs is looked at again
     * @param finishTimeout how long finishing one mailbox may wait for its lock before it is tried later
     */
    public record Options(StoreOptions store, Duration sweepEvery, Duration recheckEvery, Duration finishTimeout) {
        public static Options defaults(StoreOptions store) {
            return new Options(store, Duration.ofSeconds(60), Duration.ofMillis(250), Duration.ofSeconds(5));
        }

        public Options withSweepEvery(Duration d) {
            return new Options(store, d, recheckEvery, finishTimeout);
        }
    }

    /** A lock whose holder cannot be checked from here (c-client's empty lock file) is looked at this often. */
    private static final long SLOW_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** After a failure (permissions, a damaged mailbox), leave the mailbox alone this long. */
    private static final long AFTER_FAILURE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final List<Path> dirs;
    private final Options options;
    private final GuardianLog log;
    private final WatchService watcher;
    private final Map<WatchKey, Path> watched = new HashMap<>();
    /** Mailboxes with a leftover, and when to look at each again (System.nanoTime). */
    private final Map<Path, Long> pending = new ConcurrentHashMap<>();
    private final Map<Path, Boolean> finishing = new ConcurrentHashMap<>();
    private final ExecutorService finishers;
    private final Thread thread;
    private final AtomicLong finished = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean closed;

    private SpoolGuardian(List<Path> dirs, Options options, GuardianLog log, WatchService watcher) {
        this.dirs = dirs;
        this.options = options;
        this.log = log;
        this.watcher = watcher;
        this.finishers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "spoollock-guardian-finisher");
            t.setDaemon(true);
            return t;
        });
        this.thread = new Thread(this::run, "spoollock-guardian");
        this.thread.setDaemon(true);
    }

    /**
     * Starts guarding {@code dirs} (each must be a directory): a first sweep finishes what is left from
     * before, then events and sweeps keep going until {@link #close}.
     */
    public static SpoolGuardian start(Collection<Path> dirs, Options options, GuardianLog log) throws IOException {
        List<Path> list = checked(dirs);
        WatchService w = null;
        try {
            w = list.get(0).getFileSystem().newWatchService();
        } catch (IOException | UnsupportedOperationException e) {
            log.log("no_watch", "reason", e.getMessage(), "sweep_every_s", options.sweepEvery().toSeconds());
        }
        SpoolGuardian g = new SpoolGuardian(list, options, log, w);
        if (w != null) {
            for (Path d : list) {
                try {
                    g.watched.put(d.register(w, StandardWatchEventKinds.ENTRY_CREATE), d);
                } catch (IOException e) {
                    // e.g. fs.inotify.max_user_watches reached: the sweep still covers it, more slowly
                    log.log("no_watch", "dir", d, "reason", e.getMessage(), "sweep_every_s", options.sweepEvery().toSeconds());
                }
            }
        }
        log.log("guard_started", "dirs", list, "watch", w != null && !g.watched.isEmpty() ? "inotify" : "none",
                "sweep_every_s", options.sweepEvery().toSeconds(), "stale_after_s",
                options.store().lock().dotLock().staleAfter().toSeconds());
        g.thread.start();
        return g;
    }

    /**
     * One pass, in the calling thread: every leftover in {@code dirs} whose writer is dead is finished;
     * those whose writer still runs are left to it. Returns how many mailboxes were finished.
     */
    public static int sweepOnce(Collection<Path> dirs, Options options, GuardianLog log) throws IOException {
        SpoolGuardian g = new SpoolGuardian(checked(dirs), options, log, null);
        try {
            for (Path d : g.dirs) {
                g.sweep(d);
            }
            for (Path m : new ArrayList<>(g.pending.keySet())) {
                Step s = g.look(m);
                if (s.finish != null) {
                    g.finish(m, s.finish);
                }
            }
            return (int) g.finished.get();
        } finally {
            g.finishers.shutdownNow();
        }
    }

    private static List<Path> checked(Collection<Path> dirs) throws IOException {
        if (dirs.isEmpty()) {
            throw new IllegalArgumentException("no directory to guard");
        }
        List<Path> list = new ArrayList<>();
        for (Path d : dirs) {
            Path abs = d.toAbsolutePath().normalize();
            if (!Files.isDirectory(abs)) {
                throw new StorageException(StorageException.Category.NOT_FOUND, abs + ": not a directory (nothing to guard)");
            }
            list.add(abs);
        }
        return List.copyOf(list);
    }

    /** Mailboxes finished since the start. */
    public long finished() {
        return finished.get();
    }

    /** Mailboxes whose work could not be finished (each logged); they are tried again later. */
    public long failures() {
        return failures.get();
    }

    /** The directories guarded. */
    public List<Path> directories() {
        return dirs;
    }

    private void run() {
        long nextSweep = System.nanoTime();
        while (!closed) {
            long now = System.nanoTime();
            if (now - nextSweep >= 0) {
                for (Path d : dirs) {
                    sweep(d);
                }
                nextSweep = now + options.sweepEvery().toNanos();
            }
            long due = nextSweep;
            for (Map.Entry<Path, Long> e : pending.entrySet()) {
                if (e.getValue() - now < 0) {
                    Step s = look(e.getKey());
                    if (s.done) {
                        pending.remove(e.getKey(), e.getValue());
                        continue;
                    }
                    long next = now + s.recheckNanos;
                    pending.put(e.getKey(), next);
                    if (s.finish != null) {
                        finishing.put(e.getKey(), Boolean.TRUE);
                        Path m = e.getKey();
                        String why = s.finish;
                        try {
                            finishers.execute(() -> finish(m, why));
                        } catch (java.util.concurrent.RejectedExecutionException closing) {
                            finishing.remove(m);
                        }
                    }
                    due = Math.min(due, next);
                } else {
                    due = Math.min(due, e.getValue());
                }
            }
            waitForEvents(Math.max(1, TimeUnit.NANOSECONDS.toMillis(due - System.nanoTime())));
        }
    }

    private void waitForEvents(long millis) {
        try {
            if (watcher == null || watched.isEmpty()) {
                Thread.sleep(millis);
                return;
            }
            WatchKey key = watcher.poll(millis, TimeUnit.MILLISECONDS);
            while (key != null) {
                Path dir = watched.get(key);
                for (WatchEvent<?> ev : key.pollEvents()) {
                    if (dir == null) {
                        continue;
                    }
                    if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
                        sweep(dir); // events were lost: look at everything
                    } else if (ev.context() instanceof Path name) {
                        Leftover.of(dir, name.toString()).ifPresent(l -> pending.putIfAbsent(l.mailbox(), System.nanoTime()));
                    }
                }
                if (!key.reset() && dir != null) {
                    watched.remove(key);
                    log.log("watch_lost", "dir", dir, "reason", "the directory was removed or unmounted; sweeping only");
                }
                key = watcher.poll();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    private void sweep(Path dir) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                Leftover.of(dir, p.getFileName().toString()).ifPresent(l -> pending.putIfAbsent(l.mailbox(), System.nanoTime()));
            }
        } catch (IOException | RuntimeException e) {
            log.log("sweep_failed", "dir", dir, "error", describe(e));
        }
    }

    /** What to do about a mailbox now. */
    private record Step(boolean done, String finish, long recheckNanos) {
    }

    private Step look(Path mailbox) {
        long recheck = options.recheckEvery().toNanos();
        if (finishing.containsKey(mailbox)) {
            return new Step(false, null, recheck);
        }
        try {
            boolean work = Recovery.needed(mailbox);
            DotLockStatus lock = DotLock.peek(mailbox, options.store().lock().dotLock());
            if (!work && !lock.present()) {
                return new Step(true, null, 0);
            }
            if (lock.present() && !lock.stale()) {
                // a writer at work (or c-client's lock, whose holder cannot be checked: until it is stale)
                return new Step(false, null, lock.holderLiveness() == DotLockStatus.Liveness.ALIVE ? recheck : SLOW_RECHECK_NANOS);
            }
            if (!Files.isRegularFile(mailbox, LinkOption.NOFOLLOW_LINKS)) {
                if (work) {
                    log.log("orphan", "mailbox", mailbox, "reason", "a spoollock note or journal for a mailbox that is"
                            + " not a regular file; left alone");
                }
                return new Step(true, null, 0);
            }
            String why = work ? (lock.present() ? "interrupted write, lock " + deadOrStale(lock) : "interrupted write, no dot-lock")
                    : "lock " + deadOrStale(lock);
            return new Step(false, why, recheck);
        } catch (IOException | RuntimeException e) {
            return failed(mailbox, "look", e);
        }
    }

    private static String deadOrStale(DotLockStatus lock) {
        return (lock.holderLiveness() == DotLockStatus.Liveness.DEAD ? "of a dead holder (" : "stale (")
                + lock.holder().describe() + ", " + lock.age().toSeconds() + " s old)";
    }

    private void finish(Path mailbox, String why) {
        long t0 = System.nanoTime();
        try {
            MailboxRef ref = MailboxRef.of(mailbox);
            MailboxDriver d = Drivers.detect(ref);
            d.recover(ref, options.store().withTimeout(options.finishTimeout()));
            finished.incrementAndGet();
            log.log("finished", "mailbox", mailbox, "format", d.name(), "found", why, "ms",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        } catch (IOException | RuntimeException e) {
            StorageException.Category c = StorageErrors.categoryOf(e);
            if (c == StorageException.Category.TEMPORARY || c == StorageException.Category.IN_USE
                    || c == StorageException.Category.CHANGED) {
                // somebody has the mailbox (a live writer, a tenex reader): it finishes the work, or we look again
                log.log("busy", "mailbox", mailbox, "reason", describe(e));
                pending.computeIfPresent(mailbox, (k, v) -> System.nanoTime() + SLOW_RECHECK_NANOS);
            } else {
                Step s = failed(mailbox, "finish", e);
                pending.computeIfPresent(mailbox, (k, v) -> System.nanoTime() + s.recheckNanos);
            }
        } finally {
            finishing.remove(mailbox);
        }
    }

    private Step failed(Path mailbox, String what, Exception e) {
        failures.incrementAndGet();
        log.log("failed", "mailbox", mailbox, "step", what, "error", describe(e), "retry_s",
                TimeUnit.NANOSECONDS.toSeconds(AFTER_FAILURE_NANOS));
        return new Step(false, null, AFTER_FAILURE_NANOS);
    }

    private static String describe(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** Stops watching; a finish under way completes (it holds a lock). */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        finishers.shutdown();
        try {
            thread.join(2000);
            finishers.awaitTermination(options.finishTimeout().toMillis() + 2000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.log("guard_stopped", "finished", finished.get(), "failures", failures.get());
    }
}
