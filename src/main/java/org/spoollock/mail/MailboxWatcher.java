package org.spoollock.mail;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.spoollock.lock.FileSystemInfo;

/**
 * Tells open folders that their mailbox file changed on disk, whoever changed it (c-client, procmail,
 * Python, another spoollock process), so that new mail reaches {@code MessageCountListener}s without the
 * application polling. One thread for the whole JVM watches the directories of the watched mailboxes
 * through {@link WatchService} (inotify on Linux: no CPU while nothing happens). inotify sees only this
 * host's writes: on network filesystems (NFS, sshfs, CIFS) each watched file is also looked at (one
 * stat) every {@link #REMOTE_POLL_MS} ms instead.
 */
final class MailboxWatcher {
    /** How often a mailbox on a network filesystem is looked at. */
    static final long REMOTE_POLL_MS = 1000;

    /** One folder's interest in one file; closing it ends the interest. */
    final class Registration implements AutoCloseable {
        private final Path file;
        private final Runnable onChange;
        private ScheduledFuture<?> poll;
        private Object lastSeen;

        private Registration(Path file, Runnable onChange) {
            this.file = file;
            this.onChange = onChange;
        }

        @Override
        public void close() {
            unregister(this);
        }
    }

    private static volatile MailboxWatcher shared;

    private final WatchService service;
    private final Map<Path, WatchKey> keys = new HashMap<>();
    private final Map<Path, Set<Registration>> byDir = new ConcurrentHashMap<>();
    private final ScheduledExecutorService pollers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "spoollock-mailbox-poll");
        t.setDaemon(true);
        return t;
    });

    private MailboxWatcher(WatchService service) {
        this.service = service;
        Thread t = new Thread(this::run, "spoollock-mailbox-watch");
        t.setDaemon(true);
        t.start();
    }

    /** The JVM's watcher, started on first use. */
    static MailboxWatcher get() throws IOException {
        MailboxWatcher w = shared;
        if (w == null) {
            synchronized (MailboxWatcher.class) {
                w = shared;
                if (w == null) {
                    shared = w = new MailboxWatcher(java.nio.file.FileSystems.getDefault().newWatchService());
                }
            }
        }
        return w;
    }

    /**
     * Calls {@code onChange} (on the watcher's thread: it must only hand the work on) whenever {@code file}
     * is written, created or replaced, until the registration is closed.
     */
    synchronized Registration register(Path file, Runnable onChange) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        Path dir = Objects.requireNonNull(abs.getParent(), "a mailbox file has a directory");
        Registration r = new Registration(abs, onChange);
        if (!keys.containsKey(dir)) {
            keys.put(dir, dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY));
        }
        byDir.computeIfAbsent(dir, d -> ConcurrentHashMap.newKeySet()).add(r);
        if (remote(abs)) {
            r.lastSeen = identity(abs);
            r.poll = pollers.scheduleWithFixedDelay(() -> poll(r), REMOTE_POLL_MS, REMOTE_POLL_MS, TimeUnit.MILLISECONDS);
        }
        return r;
    }

    private synchronized void unregister(Registration r) {
        if (r.poll != null) {
            r.poll.cancel(false);
        }
        Path dir = r.file.getParent();
        Set<Registration> set = byDir.get(dir);
        if (set != null && set.remove(r) && set.isEmpty()) {
            byDir.remove(dir);
            WatchKey k = keys.remove(dir);
            if (k != null) {
                k.cancel(); // no events, no CPU, for a directory nobody watches
            }
        }
    }

    private static boolean remote(Path file) {
        try {
            return isNetwork(FileSystemInfo.of(file, Set.of()));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean isNetwork(FileSystemInfo fs) {
        String t = fs.type();
        return fs.isNfs() || t.startsWith("fuse") || t.equals("cifs") || t.equals("smb3") || t.equals("9p");
    }

    /** What a change shows as: inode, size and modification time. */
    private static Object identity(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return java.util.List.of(String.valueOf(a.fileKey()), a.size(), a.lastModifiedTime().toMillis());
        } catch (IOException e) {
            return "absent";
        }
    }

    private void poll(Registration r) {
        Object now = identity(r.file);
        if (!now.equals(r.lastSeen)) {
            r.lastSeen = now;
            fire(r);
        }
    }

    private static void fire(Registration r) {
        try {
            r.onChange.run();
        } catch (RuntimeException e) {
            System.getLogger(MailboxWatcher.class.getName()).log(System.Logger.Level.WARNING,
                    "new-mail notification for " + r.file + " failed", e);
        }
    }

    private void run() {
        while (true) {
            WatchKey key;
            try {
                key = service.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            Path dir = (Path) key.watchable();
            Set<Registration> regs = byDir.getOrDefault(dir, Set.of());
            boolean overflow = false;
            java.util.Set<Path> names = new java.util.HashSet<>();
            for (WatchEvent<?> ev : key.pollEvents()) {
                if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
                    overflow = true;
                } else if (ev.context() instanceof Path name) {
                    names.add(name);
                }
            }
            key.reset();
            for (Registration r : regs) {
                if (overflow || names.contains(r.file.getFileName())) {
                    fire(r);
                }
            }
        }
    }
}
