package org.spoollock.lock;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.spoollock.posix.Posix;
import org.spoollock.posix.Stat;

/**
 * Removes the hitching posts ({@code <mailbox>.lock.<time>.<pid>.<host>}) that processes of this host
 * killed while taking a dot-lock left behind: nobody else removes them (c-client and spoollock each
 * remove only their own), so a spool where lockers get killed gathers them for ever (the torture
 * harness left 3 in a 5-minute run with 32 kills). Run after breaking a dead holder's lock, which is
 * rare. A post is removed only if it is a regular file, names this host, its process is gone, and it
 * is over a minute old (a post lives for milliseconds; the age also keeps a reused PID out of it).
 */
final class HitchingPosts {
    private static final System.Logger LOG = System.getLogger(HitchingPosts.class.getName());
    private static final long MIN_AGE_NANOS = 60_000_000_000L;

    private HitchingPosts() {
    }

    /** This process's post for {@code lockPath}: {@code <lock>.<unix time>.<pid>.<host>}, c-client's name. */
    static String nameFor(Posix posix, String lockPath) {
        return lockPath + "." + (System.currentTimeMillis() / 1000) + "." + posix.getpid() + "." + posix.hostname();
    }

    /** Removes dead local processes' posts beside {@code lockPath} (named as {@link #nameFor}); returns how many. Never throws. */
    static int sweepDead(Posix posix, Path lockPath) {
        Path dir = lockPath.toAbsolutePath().getParent();
        String host = posix.hostname();
        Pattern post = Pattern.compile(Pattern.quote(lockPath.getFileName().toString()) + "\\.(\\d+)\\.(\\d+)\\.(.+)");
        long now = System.currentTimeMillis() * 1_000_000L;
        int removed = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, lockPath.getFileName() + ".*")) {
            for (Path p : ds) {
                Matcher m = post.matcher(p.getFileName().toString());
                if (!m.matches() || !m.group(3).equals(host)) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(m.group(2));
                } catch (NumberFormatException e) {
                    continue;
                }
                Stat st = posix.lstatIfExists(p.toString());
                if (st == null || !st.isRegularFile() || now - st.mtimeNanos() < MIN_AGE_NANOS
                        || posix.processState(pid) != Posix.ProcessState.GONE) {
                    continue;
                }
                if (posix.unlinkIfExists(p.toString())) {
                    removed++;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not sweep hitching posts in " + dir + ": " + e.getMessage());
        }
        if (removed > 0) {
            LOG.log(System.Logger.Level.INFO, "removed " + removed + " hitching post(s) of dead processes beside " + lockPath);
        }
        return removed;
    }
}
