package org.spoollock.store.maildir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.spoollock.posix.Posix;
import org.spoollock.posix.Stat;

/**
 * The UIDs a migration into a Maildir has given to files the uidlist does not list yet (it is written
 * once, at the migration's end): a line {@code UID BASE} written before each file is made.
 * A migration that is killed leaves files no uidlist names; whoever settles the uidlist next (under its
 * lock: {@link MaildirScan#agreed}) gives them these UIDs, the source's, instead of new ones, so that
 * {@code copy --resume} finds the beginning of its copy and goes on. The first line names the
 * migration's process and host: its lock, left by a dead process of this host, is taken over at once
 * ({@link #heldByDeadMigration}) instead of after Dovecot's two minutes. Not fsynced: it is for kills;
 * a migration is durable only when it has finished (after a power cut, it is started again).
 */
final class MaildirImportIntent implements AutoCloseable {
    static final String NAME = "spoollock-import";

    private final Posix posix = Posix.get();
    private final String path;
    private int fd;

    private MaildirImportIntent(String path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /** Starts the intent of a migration that holds {@code root}'s uidlist lock (a dead one's is replaced). */
    static MaildirImportIntent begin(Path root, MaildirOwner owner) throws IOException {
        Posix posix = Posix.get();
        String p = root.resolve(NAME).toString();
        posix.unlinkIfExists(p);
        int fd = posix.open(p, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL | Posix.O_APPEND | Posix.O_NOFOLLOW
                | Posix.O_CLOEXEC, 0600);
        try {
            MaildirOwner.give(owner, Path.of(p));
            byte[] head = ("spoollock copy pid " + posix.getpid() + " host " + MaildirFiles.host(posix.hostname()) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            posix.writeFully(fd, head, p);
            return new MaildirImportIntent(p, fd);
        } catch (IOException | RuntimeException e) {
            posix.closeQuietly(fd);
            posix.unlinkIfExists(p);
            throw e;
        }
    }

    /** Says that the file named {@code base} is about to be made with {@code uid}. */
    void add(long uid, String base) throws IOException {
        posix.writeFully(fd, (uid + " " + base + "\n").getBytes(StandardCharsets.UTF_8), path);
    }

    /** Marks the intent as changed now (its mtime), after the migration touched its lock. */
    void touch() throws IOException {
        posix.touch(fd, path);
    }

    /** The migration has ended: the uidlist lists every file, the intent goes. */
    @Override
    public void close() throws IOException {
        if (fd >= 0) {
            posix.closeQuietly(fd);
            fd = -1;
            posix.unlinkIfExists(path);
        }
    }

    /** What a killed migration said: base name to UID, in the order written; empty when there is none. */
    static Map<String, Long> left(Path root) throws IOException {
        Map<String, Long> uids = new LinkedHashMap<>();
        Path p = root.resolve(NAME);
        if (!Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return uids;
        }
        String[] lines = Files.readString(p, StandardCharsets.UTF_8).split("\n", -1);
        // the last piece is empty after a whole line, or a line cut short by the kill: ignored either way
        for (int i = 1; i < lines.length - 1; i++) {
            int sp = lines[i].indexOf(' ');
            if (sp <= 0) {
                continue;
            }
            try {
                uids.put(lines[i].substring(sp + 1), Long.parseLong(lines[i].substring(0, sp)));
            } catch (NumberFormatException notOurs) {
                // a line we did not write: the file it names gets a new UID, as any other
            }
        }
        return uids;
    }

    /** Removes a killed migration's intent once the uidlist it was for has been written. */
    static void forget(Path root) throws IOException {
        Posix.get().unlinkIfExists(root.resolve(NAME).toString());
    }

    /**
     * Makes a dead migration's intent this process's, before it takes the uidlist lock over: another
     * process then sees a live owner and leaves the new lock alone (written beside and renamed over).
     */
    static void adopt(Path root) throws IOException {
        Path p = root.resolve(NAME);
        String text;
        try {
            text = Files.readString(p, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException gone) {
            return;
        }
        Posix posix = Posix.get();
        int nl = text.indexOf('\n');
        String rest = nl < 0 ? "" : text.substring(nl + 1);
        Path tmp = root.resolve("tmp").resolve(NAME + "." + posix.getpid());
        Files.writeString(tmp, "spoollock copy pid " + posix.getpid() + " host " + MaildirFiles.host(posix.hostname())
                + "\n" + rest, StandardCharsets.UTF_8);
        posix.rename(tmp.toString(), p.toString());
    }

    /**
     * Whether {@code lock} (a uidlist lock file) was left by a migration whose process is gone: the intent
     * names a process of this host that no longer runs, and the lock is no newer than the intent's last
     * change (the migration touches its lock before it writes the intent; a lock taken since, by Dovecot
     * after its two minutes or by a process that {@link #adopt}ed the intent, is not the migration's).
     */
    static boolean heldByDeadMigration(Path root, Stat lock) throws IOException {
        Posix posix = Posix.get();
        Stat intent = posix.lstatIfExists(root.resolve(NAME).toString());
        if (intent == null || lock == null || lock.mtimeNanos() > intent.mtimeNanos()) {
            return false;
        }
        String first;
        try (var r = Files.newBufferedReader(root.resolve(NAME), StandardCharsets.UTF_8)) {
            first = r.readLine();
        }
        String[] w = first == null ? new String[0] : first.split(" ");
        if (w.length != 6 || !w[0].equals("spoollock") || !w[2].equals("pid") || !w[4].equals("host")
                || !w[5].equals(MaildirFiles.host(posix.hostname()))) {
            return false;
        }
        try {
            return posix.processState(Long.parseLong(w[3])) == Posix.ProcessState.GONE;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
