package org.spoollock.bench;

import static org.spoollock.bench.BenchSupport.end;
import static org.spoollock.bench.BenchSupport.raw;
import static org.spoollock.bench.BenchSupport.repeat;
import static org.spoollock.bench.BenchSupport.timed;

import org.spoollock.bench.BenchSupport.Batch;
import org.spoollock.bench.BenchSupport.Cycle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.spoollock.lock.DotLock;
import org.spoollock.lock.DotLockOptions;
import org.spoollock.lock.LockState;
import org.spoollock.posix.Posix;
import org.spoollock.posix.Stat;

/**
 * In-process dot-lock cycle benchmark (not a test: it asserts nothing about speed). Run by
 * {@code spooltest/run bench} from the test classpath; prints one JSON object on stdout.
 *
 * <pre>
 *   DotLockBench compare DIR N ROUNDS WARMUP RAW   the figure the report uses, see below
 *   DotLockBench dotlock DIR N BATCHES WARMUP       DotLock.acquire(DIR/java-mbox, 5 s, defaults) + release() alone
 *   DotLockBench posix   DIR N BATCHES WARMUP       the raw C floor's syscalls made through spoollock's Posix (jffi) layer
 *   DotLockBench count   DIR K [posix]              K untimed cycles, for counting syscalls under strace
 * </pre>
 *
 * {@code compare} first runs WARMUP untimed cycles of each Java kind (JIT), then ROUNDS rounds, each
 * of one batch of N cycles of: the C floor (the program RAW, {@code spooltest/c/bench-dotlock-raw.c},
 * run as a child process), spoollock's DotLock, and the same syscalls through the native layer; the order turns
 * each round. Back-to-back batches see the same machine load, so the per-round ratios to the C
 * floor hold up on a busy machine better than the ratio of two separate runs would.
 */
public final class DotLockBench {
    private static final DotLockOptions OPTS = DotLockOptions.defaults();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private DotLockBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            usage();
        }
        String mode = args[0];
        Path dir = Path.of(args[1]).toAbsolutePath();
        switch (mode) {
            case "compare":
                compare(dir, args);
                break;
            case "dotlock":
                single(mode, args, dotLockCycle(dir.resolve("java-mbox")));
                break;
            case "posix":
                single(mode, args, posixCycle(dir.resolve("jnr-mbox")));
                break;
            case "count": {
                long k = Long.parseLong(args[2]);
                Cycle c = args.length > 3 && args[3].equals("posix") ? posixCycle(dir.resolve("count-mbox"))
                        : dotLockCycle(dir.resolve("count-mbox"));
                repeat(c, k);
                System.out.println("{\"mode\": \"count\", \"cycles\": " + k + "}");
                break;
            }
            default:
                usage();
        }
    }

    private static void usage() {
        System.err.println("usage: DotLockBench compare DIR N ROUNDS WARMUP RAW | dotlock|posix DIR N BATCHES WARMUP"
                + " | count DIR K [posix]");
        System.exit(64);
    }

    private static Cycle dotLockCycle(Path mbox) {
        return () -> {
            DotLock lock = DotLock.acquire(mbox, TIMEOUT, OPTS);
            LockState end = lock.release();
            if (end != LockState.RELEASED) {
                throw new IllegalStateException("lock ended " + end + " in an uncontended benchmark");
            }
        };
    }

    /** The C floor's exact sequence through org.spoollock.posix.Posix: the native-layer cost without spoollock's logic. */
    private static Cycle posixCycle(Path mbox) {
        Posix p = Posix.get();
        String lock = mbox + ".lock";
        String hitch = lock + "." + (System.currentTimeMillis() / 1000) + "." + p.getpid() + "." + p.hostname();
        byte[] pidLine = (p.getpid() + "\n").getBytes(StandardCharsets.US_ASCII);
        return () -> {
            int fd = p.open(hitch, Posix.O_RDWR | Posix.O_CREAT | Posix.O_EXCL, 0666);
            p.writeFully(fd, pidLine, hitch);
            p.fchmod(fd, 0666, hitch);
            if (p.link(hitch, lock) != 0) {
                throw new IllegalStateException("link failed in an uncontended benchmark");
            }
            Stat st = p.fstat(fd, hitch);
            if (st.nlink() != 2) {
                throw new IllegalStateException("nlink " + st.nlink() + " after link");
            }
            p.unlink(hitch);
            p.lstat(lock);
            p.unlink(lock);
            p.close(fd, hitch);
        };
    }

    private static void compare(Path dir, String[] args) throws Exception {
        if (args.length != 6) {
            usage();
        }
        long n = Long.parseLong(args[2]);
        int rounds = Integer.parseInt(args[3]);
        long warmup = Long.parseLong(args[4]);
        String[] names = {"raw_c", "spoollock", "jnr"};
        Cycle dot = dotLockCycle(dir.resolve("java-mbox"));
        Cycle jnr = posixCycle(dir.resolve("jnr-mbox"));
        Batch[] batches = {raw(args[5], dir), timed(dot), timed(jnr)};
        long w0 = System.nanoTime();
        repeat(dot, warmup);
        repeat(jnr, warmup);
        long warmupMs = (System.nanoTime() - w0) / 1_000_000;
        long[][] per = new long[3][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < 3; k++) {
                int which = (r + k) % 3;
                per[which][r] = batches[which].run(n);
            }
        }
        List<String> fields = new ArrayList<>();
        fields.add("\"n\": " + n);
        fields.add("\"rounds\": " + rounds);
        fields.add("\"warmup_cycles\": " + warmup);
        fields.add("\"warmup_ms\": " + warmupMs);
        for (int k = 0; k < 3; k++) {
            fields.add("\"" + names[k] + "\": {\"batch_ns_per_cycle\": " + list(per[k]) + ", \"median_ns_per_cycle\": "
                    + median(per[k]) + "}");
        }
        for (int k = 1; k < 3; k++) {
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = (double) per[k][r] / per[0][r];
            }
            Arrays.sort(ratio);
            double med = rounds % 2 == 1 ? ratio[rounds / 2] : (ratio[rounds / 2 - 1] + ratio[rounds / 2]) / 2;
            fields.add("\"" + names[k] + "_to_raw_c_per_round_median\": " + String.format("%.3f", med));
        }
        System.out.println("{" + String.join(", ", fields) + "}");
    }

    private static void single(String mode, String[] args, Cycle cycle) throws Exception {
        if (args.length != 5) {
            usage();
        }
        long n = Long.parseLong(args[2]);
        int batches = Integer.parseInt(args[3]);
        long warmup = Long.parseLong(args[4]);
        repeat(cycle, warmup);
        Batch b = timed(cycle);
        long[] per = new long[batches];
        for (int i = 0; i < batches; i++) {
            per[i] = b.run(n);
        }
        System.out.println("{\"mode\": \"" + mode + "\", \"n\": " + n + ", \"warmup_cycles\": " + warmup
                + ", \"batch_ns_per_cycle\": " + list(per) + ", \"median_ns_per_cycle\": " + median(per) + "}");
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
