package org.spoollock.lock;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;

import org.spoollock.posix.Posix;

/**
 * Who a lock file says holds it. spoollock writes two lines: the PID alone on the first (what
 * liblockfile, Dovecot and most tools read), then {@code spoollock host=H start=T boot=B}, the
 * process's start time in clock ticks and the kernel boot id, so that a PID reused by a new process
 * is never taken for the holder. Anything else is read without error: empty (c-client), {@code 0}
 * (procmail), a PID alone (liblockfile), or garbage.
 */
public record LockHolder(Format format, long pid, String host, OptionalLong startTicks, String bootId) {

    /** What kind of lock file contents were found. */
    public enum Format {
        /** Empty: c-client and Python's mailbox write nothing. */
        EMPTY,
        /** A PID and nothing we understand after it (liblockfile, Dovecot; procmail's "0" has pid 0). */
        PID_ONLY,
        /** Our two-line format. */
        SPOOLLOCK,
        /** Something else; no holder can be named. */
        UNRECOGNISED
    }

    static final int MAX_READ = 4096;

    private static volatile LockHolder self;

    /** The identity of this process, as written into locks it creates (read from /proc once). */
    public static LockHolder self() {
        LockHolder h = self;
        if (h == null) {
            Posix p = Posix.get();
            self = h = new LockHolder(Format.SPOOLLOCK, p.getpid(), p.hostname(), p.processStartTicks(p.getpid()), p.bootId());
        }
        return h;
    }

    /** The bytes written into a lock file. */
    public byte[] render() {
        return render(null);
    }

    /**
     * The bytes written into a lock file, with a token unique to this acquisition: on filesystems
     * that number inodes per path (sshfs), the contents are what tells our lock from another's.
     */
    public byte[] render(String lockToken) {
        StringBuilder sb = new StringBuilder().append(pid).append('\n')
                .append("spoollock host=").append(host);
        startTicks.ifPresent(t -> sb.append(" start=").append(t));
        if (!bootId.isEmpty()) {
            sb.append(" boot=").append(bootId);
        }
        if (lockToken != null) {
            sb.append(" lock=").append(lockToken);
        }
        return sb.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Parses lock file contents; never throws. */
    public static LockHolder parse(byte[] data) {
        String s = new String(data, StandardCharsets.ISO_8859_1);
        if (s.isBlank()) {
            return new LockHolder(Format.EMPTY, 0, "", OptionalLong.empty(), "");
        }
        String[] lines = s.split("\n", -1);
        long pid = parsePid(lines[0]);
        if (pid < 0) {
            return new LockHolder(Format.UNRECOGNISED, 0, "", OptionalLong.empty(), "");
        }
        if (lines.length > 1 && lines[1].startsWith("spoollock ")) {
            String host = "";
            OptionalLong start = OptionalLong.empty();
            String boot = "";
            for (String field : lines[1].substring("spoollock ".length()).trim().split(" +")) {
                int eq = field.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String key = field.substring(0, eq);
                String value = field.substring(eq + 1);
                switch (key) {
                    case "host": host = value; break;
                    case "boot": boot = value; break;
                    case "start":
                        try {
                            start = OptionalLong.of(Long.parseLong(value));
                        } catch (NumberFormatException e) {
                            start = OptionalLong.empty();
                        }
                        break;
                    default: break;
                }
            }
            if (!host.isEmpty()) {
                return new LockHolder(Format.SPOOLLOCK, pid, host, start, boot);
            }
        }
        return new LockHolder(Format.PID_ONLY, pid, "", OptionalLong.empty(), "");
    }

    /** A decimal PID with optional surrounding blanks, or -1. */
    private static long parsePid(String line) {
        String t = line.trim();
        if (t.isEmpty() || t.length() > 10) {
            return -1;
        }
        for (int i = 0; i < t.length(); i++) {
            if (t.charAt(i) < '0' || t.charAt(i) > '9') {
                return -1;
            }
        }
        long v = Long.parseLong(t);
        return v > Integer.MAX_VALUE ? -1 : v;
    }

    /** The holder's host when the lock names one. */
    public Optional<String> hostName() {
        return host.isEmpty() ? Optional.empty() : Optional.of(host);
    }

    /** One line for messages: "pid 123 on mail1", "pid 123 (host unknown)", "unknown (empty lock file)". */
    public String describe() {
        switch (format) {
            case EMPTY: return "unknown holder (empty lock file, as c-client writes)";
            case UNRECOGNISED: return "unknown holder (unrecognised lock file contents)";
            case PID_ONLY: return pid == 0 ? "unknown holder (lock file says 0, as procmail writes)"
                    : "pid " + pid + " (host not recorded)";
            default: return "pid " + pid + " on " + host;
        }
    }
}
