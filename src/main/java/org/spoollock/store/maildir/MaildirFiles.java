package org.spoollock.store.maildir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.concurrent.atomic.AtomicLong;

import org.spoollock.posix.Posix;
import org.spoollock.posix.Faults;

/**
 * Writing message files the Maildir way: the text goes into {@code tmp/} under a name nobody else can
 * choose, its mtime becomes the internal date, and it is renamed into {@code new/} or {@code cur/}
 * (rename, not link: Dovecot does the same, and a name in tmp/ is ours alone). The caller decides when
 * to fsync: delivery syncs each file before it is renamed and the directory after; a migration syncs
 * everything once at its end.
 */
final class MaildirFiles {
    /** Distinguishes names made in one microsecond by one process (Maildir's Q field, a delivery count). */
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private MaildirFiles() {
    }

    /** A message file written: where it is now, and its name. */
    record Written(Path path, MaildirName name) {
    }

    /** A base name no other writer makes: {@code <secs>.M<usecs>P<pid>Q<n>.<host>} (maildir.html's unique names). */
    static String uniqueBase() {
        Posix posix = Posix.get();
        long micros = java.time.Instant.now().getEpochSecond() * 1_000_000L
                + java.time.Instant.now().getNano() / 1000 % 1_000_000L;
        return (micros / 1_000_000L) + ".M" + (micros % 1_000_000L) + "P" + posix.getpid() + "Q"
                + SEQUENCE.incrementAndGet() + "." + host(posix.hostname());
    }

    /** The base name of a file of {@code text} made with {@code unique}: the unique part and its S= and W= sizes. */
    static String baseOf(String unique, byte[] text) {
        return unique + ",S=" + text.length + ",W=" + virtualSize(text);
    }

    /** The host part: '/' and ':' cannot be in it (Maildir writes them as \057 and \072), nor ',' (it starts a field). */
    static String host(String h) {
        return h.replace("/", "\\057").replace(":", "\\072").replace(",", "\\054");
    }

    /**
     * The message with CRLF line ends made LF (Maildir files hold LF, as Dovecot stores them): the
     * content is {@code head} then {@code body[offset .. offset + length)}.
     */
    static byte[] lf(byte[] head, byte[] body, int offset, int length) {
        byte[] out = new byte[head.length + length];
        int n = copyLf(head, 0, head.length, out, 0);
        n = copyLf(body, offset, length, out, n);
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }

    private static int copyLf(byte[] b, int from, int length, byte[] out, int at) {
        int end = from + length;
        int run = from;
        for (int i = from; i < end; i++) {
            if (b[i] == '\r' && i + 1 < end && b[i + 1] == '\n') {
                System.arraycopy(b, run, out, at, i - run);
                at += i - run;
                run = i + 1;
            }
        }
        System.arraycopy(b, run, out, at, end - run);
        return at + end - run;
    }

    /** The size with CRLF line ends (Dovecot's virtual size, the W= field): each LF not after a CR counts two. */
    static long virtualSize(byte[] text) {
        long w = text.length;
        for (int i = 0; i < text.length; i++) {
            if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) {
                w++;
            }
        }
        return w;
    }

    /**
     * Writes {@code text} (LF line ends) as a new message of {@code root} into {@code dir} ("new" or "cur")
     * with the flags' letters, mtime {@code date}; with {@code fsync} the file is synced before its rename
     * (the directory is the caller's to sync). The file is given to {@code owner} (see {@link MaildirOwner}).
     */
    static Written write(Path root, byte[] text, String dir, int flags, int[] keywords, ZonedDateTime date, boolean fsync,
                         MaildirOwner owner) throws IOException {
        return write(root, uniqueBase(), text, dir, flags, keywords, date, fsync, owner);
    }

    /** As {@link #write(Path, byte[], String, int, int[], ZonedDateTime, boolean, MaildirOwner)}, named {@code unique} (from {@link #uniqueBase}) and the sizes. */
    static Written write(Path root, String unique, byte[] text, String dir, int flags, int[] keywords, ZonedDateTime date,
                         boolean fsync, MaildirOwner owner) throws IOException {
        Posix posix = Posix.get();
        MaildirName name = new MaildirName(baseOf(unique, text), null);
        if (flags != 0 || keywords.length > 0 || dir.equals("cur")) {
            name = name.withFlags(flags, keywords);
        }
        String tmp = root.resolve("tmp").resolve(name.base()).toString();
        int fd = posix.open(tmp, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0600);
        boolean done = false;
        try {
            MaildirOwner.give(owner, Path.of(tmp));
            posix.writeFully(fd, text, tmp);
            long mtime = date.toInstant().getEpochSecond() * 1_000_000_000L;
            posix.setTimes(fd, System.currentTimeMillis() * 1_000_000L, mtime, tmp);
            if (fsync) {
                posix.fsync(fd, tmp);
            }
            posix.close(fd, tmp);
            fd = -1;
            Faults.point("append.written");
            Path to = root.resolve(dir).resolve(name.fileName());
            posix.rename(tmp, to.toString());
            done = true;
            return new Written(to, name);
        } finally {
            if (fd >= 0) {
                posix.closeQuietly(fd);
            }
            if (!done) {
                posix.unlinkIfExists(tmp);
            }
        }
    }

    /** fsync of a directory, so the names renamed into it survive a power cut. */
    static void syncDirectory(Path dir) throws IOException {
        Posix posix = Posix.get();
        String d = dir.toString();
        int fd = posix.open(d, Posix.O_RDONLY | Posix.O_CLOEXEC, 0);
        try {
            posix.fsync(fd, d);
        } finally {
            posix.closeQuietly(fd);
        }
    }

    /** fsync of a file by name (a migration's files, synced once at its end). */
    static void syncFile(Path file) throws IOException {
        Posix posix = Posix.get();
        String f = file.toString();
        int fd = posix.open(f, Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0);
        try {
            posix.fsync(fd, f);
        } finally {
            posix.closeQuietly(fd);
        }
    }
}
