package org.spoollock.lock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.posix.Stat;

/** The kernel's table of flock and POSIX locks (/proc/locks), for naming who holds a mailbox. */
public final class KernelLocks {
    private KernelLocks() {
    }

    /**
     * One lock from /proc/locks.
     *
     * @param kind      FLOCK, POSIX (classic fcntl/lockf) or OFDLCK (open-file-description lock)
     * @param exclusive WRITE rather than READ
     * @param pid       the holder's PID; -1 for OFD locks, which belong to no process
     * @param blocked   a waiter ("->" in /proc/locks) rather than a holder
     */
    public record Entry(String kind, boolean exclusive, long pid, boolean blocked) {
        public String describe() {
            return kind.toLowerCase(java.util.Locale.ROOT) + (exclusive ? " exclusive" : " shared")
                    + (pid > 0 ? " by pid " + pid : " (open file description, no single pid)") + (blocked ? " (waiting)" : "");
        }
    }

    /** The locks on the file with this stat (device and inode), holders first. */
    public static List<Entry> on(Stat st) {
        List<Entry> out = new ArrayList<>();
        String id = String.format("%02x:%02x:%d", major(st.dev()), minor(st.dev()), st.ino());
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/locks"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return out;
        }
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            // "1: FLOCK  ADVISORY  WRITE 1234 fd:00:56 0 EOF" or "1: -> FLOCK ..." for waiters
            int i = 1;
            boolean blocked = false;
            if (f.length > i && f[i].equals("->")) {
                blocked = true;
                i++;
            }
            if (f.length < i + 5 || !f[i + 4].equals(id)) {
                continue;
            }
            long pid;
            try {
                pid = Long.parseLong(f[i + 3]);
            } catch (NumberFormatException e) {
                pid = -1;
            }
            out.add(new Entry(f[i], f[i + 2].equals("WRITE"), pid, blocked));
        }
        return out;
    }

    static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    }

    static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & ~0xffL);
    }
}
