package org.spoollock.bench;

import static org.spoollock.bench.BenchSupport.end;
import static org.spoollock.bench.BenchSupport.raw;
import static org.spoollock.bench.BenchSupport.repeat;
import static org.spoollock.bench.BenchSupport.timed;

import org.spoollock.bench.BenchSupport.Batch;
import org.spoollock.bench.BenchSupport.Cycle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.spoollock.lock.LockMethod;
import org.spoollock.lock.LockProfile;
import org.spoollock.lock.LockState;
import org.spoollock.lock.MailboxLock;
import org.spoollock.lock.MailboxLockOptions;
import org.spoollock.posix.Posix;
import org.spoollock.posix.Stat;

/**
 * In-process benchmark of a full c-client mailbox lock cycle (not a test: it asserts nothing about
 * speed): {@code MailboxLock.acquire(mbox, EXCLUSIVE, 5 s, defaults)} + {@code release()}, that is
 * dot-lock, open, flock LOCK_EX, and back. Run by {@code spooltest/run bench}
 * ({@code spooltest/bench/mboxlock.py}); prints one JSON object on stdout.
 *
 * <pre>
 *   MailboxLockBench compare DIR N ROUNDS WARMUP RAW   the figure the report uses, see below
 *   MailboxLockBench count   DIR K [cclient|all|posix|posix-extra]  K untimed cycles, for counting syscalls under strace
 * </pre>
 *
 * {@code compare} first runs WARMUP untimed cycles of each Java kind (JIT), then ROUNDS rounds, each
 * of one batch of N cycles of: the C floor (the program RAW, {@code spooltest/c/bench-mboxlock-raw.c},
 * run as a child process), spoollock's MailboxLock with the default (cclient) profile, the same with
 * the {@code all} profile (adds a whole-file OFD lock), the C floor's syscalls through spoollock's
 * native layer (jffi), and those plus the syscalls MailboxLock makes beyond the floor's; the order turns each round. Ratios are taken per round, against that round's C batch.
 */
public final class MailboxLockBench {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private MailboxLockBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            usage();
        }
        Path dir = Path.of(args[1]).toAbsolutePath();
        switch (args[0]) {
            case "compare":
                compare(dir, args);
                break;
            case "count": {
                long k = Long.parseLong(args[2]);
                String kind = args.length > 3 ? args[3] : "cclient";
                Cycle c = switch (kind) {
                    case "cclient" -> lockCycle(mailbox(dir, "count-mbox"), LockProfile.CCLIENT.methods());
                    case "all" -> lockCycle(mailbox(dir, "count-mbox"), LockProfile.ALL.methods());
                    case "posix" -> posixCycle(mailbox(dir, "count-mbox"), false);
                    case "posix-extra" -> posixCycle(mailbox(dir, "count-mbox"), true);
                    default -> throw new IllegalArgumentException("unknown kind " + kind);
                };
                repeat(c, k);
                System.out.println("{\"mode\": \"count\", \"kind\": \"" + kind + "\", \"cycles\": " + k + "}");
                break;
            }
            default:
                usage();
        }
    }

    private static void usage() {
        System.err.println("usage: MailboxLockBench compare DIR N ROUNDS WARMUP RAW | count DIR K [cclient|all|posix|posix-extra]");
        System.exit(64);
    }

    /** An existing, empty mailbox (MailboxLock does not create one unless asked). */
    private static Path mailbox(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        if (!Files.exists(p)) {
            Files.createFile(p);
        }
        return p;
    }

    private static Cycle lockCycle(Path mbox, Set<LockMethod> methods) {
        MailboxLockOptions opts = MailboxLockOptions.defaults().withMethods(methods);
        return () -> {
            MailboxLock lock = MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, TIMEOUT, opts);
            LockState end = lock.release();
            if (end != LockState.RELEASED) {
                throw new IllegalStateException("lock ended " + end + " in an uncontended benchmark");
            }
        };
    }

    /**
     * The C floor's exact sequence through org.spoollock.posix.Posix: the native-layer cost without spoollock's logic.
     * With {@code extra}, also the syscalls MailboxLock makes beyond the floor's (strace shows them), in
     * the same places: fstat of the mailbox twice after opening it, and lstat of the dot-lock and of the
     * mailbox name before unlocking. What MailboxLock costs beyond that is its Java-side work.
     */
    private static Cycle posixCycle(Path mbox, boolean extra) {
        Posix p = Posix.get();
        String box = mbox.toString();
        String lock = box + ".lock";
        String hitch = lock + "." + (System.currentTimeMillis() / 1000) + "." + p.getpid() + "." + p.hostname();
        byte[] pidLine = (p.getpid() + "\n").getBytes(StandardCharsets.US_ASCII);
        return () -> {
            int hfd = p.open(hitch, Posix.O_RDWR | Posix.O_CREAT | Posix.O_EXCL, 0666);
            p.writeFully(hfd, pidLine, hitch);
            p.fchmod(hfd, 0666, hitch);
            if (p.link(hitch, lock) != 0) {
                throw new IllegalStateException("link failed in an uncontended benchmark");
            }
            Stat st = p.fstat(hfd, hitch);
            if (st.nlink() != 2) {
                throw new IllegalStateException("nlink " + st.nlink() + " after link");
            }
            p.unlink(hitch);
            int fd = p.open(box, Posix.O_RDWR, 0);
            if (extra) {
                p.fstat(fd, box);
                p.fstat(fd, box);
            }
            p.flock(fd, Posix.LOCK_EX, box);
            if (extra) {
                p.lstat(lock);
                p.lstat(box);
            }
            p.flock(fd, Posix.LOCK_UN, box);
            p.close(fd, box);
            p.lstat(lock);
            p.unlink(lock);
            p.close(hfd, hitch);
        };
    }

    private static void compare(Path dir, String[] args) throws Exception {
        if (args.length != 6) {
            usage();
        }
        long n = Long.parseLong(args[2]);
        int rounds = Integer.parseInt(args[3]);
        long warmup = Long.parseLong(args[4]);
        String[] names = {"raw_c", "spoollock", "spoollock_all", "jnr", "jnr_extra"};
        Cycle cc = lockCycle(mailbox(dir, "java-mbox"), LockProfile.CCLIENT.methods());
        Cycle all = lockCycle(mailbox(dir, "java-all-mbox"), LockProfile.ALL.methods());
        Cycle jnr = posixCycle(mailbox(dir, "jnr-mbox"), false);
        Cycle jnrExtra = posixCycle(mailbox(dir, "jnr-extra-mbox"), true);
        Batch[] batches = {raw(args[5], dir), timed(cc), timed(all), timed(jnr), timed(jnrExtra)};
        int kinds = batches.length;
        long w0 = System.nanoTime();
        repeat(cc, warmup);
        repeat(all, warmup);
        repeat(jnr, warmup);
        repeat(jnrExtra, warmup);
        long warmupMs = (System.nanoTime() - w0) / 1_000_000;
        long[][] per = new long[kinds][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < kinds; k++) {
                int which = (r + k) % kinds;
                per[which][r] = batches[which].run(n);
            }
        }
        List<String> fields = new ArrayList<>();
        fields.add("\"n\": " + n);
        fields.add("\"rounds\": " + rounds);
        fields.add("\"warmup_cycles\": " + warmup);
        fields.add("\"warmup_ms\": " + warmupMs);
        for (int k = 0; k < kinds; k++) {
            fields.add("\"" + names[k] + "\": {\"batch_ns_per_cycle\": " + list(per[k]) + ", \"median_ns_per_cycle\": "
                    + median(per[k]) + "}");
        }
        for (int k = 1; k < kinds; k++) {
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = (double) per[k][r] / per[0][r];
            }
            fields.add("\"" + names[k] + "_to_raw_c_per_round\": " + Arrays.stream(ratio)
                    .mapToObj(x -> String.format(Locale.ROOT, "%.3f", x)).collect(Collectors.joining(", ", "[", "]")));
            Arrays.sort(ratio);
            double med = rounds % 2 == 1 ? ratio[rounds / 2] : (ratio[rounds / 2 - 1] + ratio[rounds / 2]) / 2;
            fields.add("\"" + names[k] + "_to_raw_c_per_round_median\": " + String.format(Locale.ROOT, "%.3f", med));
        }
        System.out.println("{" + String.join(", ", fields) + "}");
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String list(long[] v) {
        return Arrays.stream(v).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
