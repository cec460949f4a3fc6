package org.spoollock.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import org.spoollock.lock.LockSecurityException;
import org.spoollock.posix.Posix;
import org.spoollock.posix.PosixException;
import org.spoollock.posix.Stat;

/** c-client's session lock file {@code /tmp/.<st_dev hex>.<st_ino hex>}, opened and locked as its lock_work() does. */
final class SessionLockFile {
    /** Linux O_NOATIME: lets the owner (or root) read a lock without looking like a requester. */
    private static final int O_NOATIME = 01000000;

    private SessionLockFile() {
    }

    /** The session lock's name for a mailbox: c-client's "%s/.%lx.%lx" of stat(mailbox). */
    static String nameFor(Path mailbox, Path directory) throws IOException {
        Stat st = Posix.get().stat(mailbox.toString());
        return directory.resolve("." + Long.toHexString(st.dev()) + "." + Long.toHexString(st.ino())).toString();
    }

    /** Result of one attempt: the descriptor (-1 when someone else holds it) and the PID found in the file. */
    record Attempt(int fd, long holderPid) {
    }

    /**
     * c-client's lock_work(): open or create the name without following links, refusing symbolic
     * and hard links; flock it; check that the name still is the file we locked, with one link;
     * make it mode 0666. On a failed LOCK_NB the holder's PID is read from the file (which moves its
     * atime: that is how a Java holder tells which of its mailboxes is wanted).
     */
    static Attempt lock(Posix posix, String name, int op) throws IOException {
        while (true) {
            int fd = openOrCreate(posix, name);
            boolean got;
            try {
                got = posix.flock(fd, op, name);
            } catch (IOException | RuntimeException e) {
                posix.closeQuietly(fd);
                throw e;
            }
            if (!got) {
                long pid = readPid(posix, fd, name);
                posix.closeQuietly(fd);
                return new Attempt(-1, pid);
            }
            Stat atName = posix.lstatIfExists(name);
            Stat mine = posix.fstat(fd, name);
            if (atName != null && !atName.isSymlink() && atName.sameFile(mine) && mine.nlink() == 1) {
                try {
                    posix.chmod(name, 0666);
                } catch (FileSystemException e) {
                    // c-client ignores this too: the file may belong to another user who made it 0666
                }
                return new Attempt(fd, 0);
            }
            posix.closeQuietly(fd); // replaced or unlinked while we locked it: start again
        }
    }

    private static int openOrCreate(Posix posix, String name) throws IOException {
        while (true) {
            Stat l = posix.lstatIfExists(name);
            try {
                if (l == null) {
                    int fd = posix.open(name, Posix.O_RDWR | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW
                            | Posix.O_CLOEXEC, 0666);
                    return fd;
                }
                if (l.isSymlink()) {
                    throw new LockSecurityException("SECURITY PROBLEM: symbolic link at session lock name " + name
                            + "; refusing to follow it");
                }
                if (l.nlink() > 1) {
                    throw new LockSecurityException("SECURITY PROBLEM: hard link to session lock name " + name
                            + " (" + l.nlink() + " links); refusing to use it");
                }
                if (!l.isRegularFile()) {
                    throw new LockSecurityException("session lock name " + name + " is a " + l.typeName());
                }
                return posix.open(name, Posix.O_RDWR | Posix.O_NOFOLLOW | Posix.O_NONBLOCK | Posix.O_CLOEXEC, 0);
            } catch (FileAlreadyExistsException | NoSuchFileException e) {
                // raced with another creator or remover: look again
            } catch (PosixException.SymlinkException e) {
                throw new LockSecurityException("SECURITY PROBLEM: symbolic link at session lock name " + name);
            }
        }
    }

    /** c-client's atol() of up to 1023 bytes: leading blanks, digits; 0 when there is no PID. */
    static long readPid(Posix posix, int fd, String name) throws FileSystemException {
        return parsePid(posix.readAtMost(fd, 1023, name));
    }

    static long parsePid(byte[] data) {
        int i = 0;
        while (i < data.length && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n')) {
            i++;
        }
        long v = 0;
        int digits = 0;
        while (i < data.length && data[i] >= '0' && data[i] <= '9' && digits < 10) {
            v = v * 10 + (data[i++] - '0');
            digits++;
        }
        return v > 0 && v <= Integer.MAX_VALUE ? v : 0;
    }

    /**
     * Reads the PID without moving atime (O_NOATIME, permitted to the file's owner and root), so
     * that looking does not make the holder think it was asked. Returns -1 when that is not permitted.
     */
    static long peekPid(Posix posix, String name) throws IOException {
        int fd;
        try {
            fd = posix.open(name, Posix.O_RDONLY | O_NOATIME | Posix.O_NOFOLLOW | Posix.O_NONBLOCK | Posix.O_CLOEXEC, 0);
        } catch (AccessDeniedException e) {
            return -1;
        }
        try {
            return readPid(posix, fd, name);
        } finally {
            posix.closeQuietly(fd);
        }
    }

    /** Whether reads update atime on the filesystem holding this directory (not with noatime). */
    static boolean atimeWorks(Path directory) {
        try {
            Path dir = directory.toRealPath();
            String best = "";
            boolean noatime = false;
            List<String> mounts = Files.readAllLines(Path.of("/proc/mounts"), StandardCharsets.UTF_8);
            for (String line : mounts) {
                String[] f = line.split(" ");
                if (f.length > 3 && dir.startsWith(f[1]) && f[1].length() >= best.length()) {
                    best = f[1];
                    noatime = List.of(f[3].split(",")).contains("noatime");
                }
            }
            return !noatime;
        } catch (IOException e) {
            return true;
        }
    }
}
