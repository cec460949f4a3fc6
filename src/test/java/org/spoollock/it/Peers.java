package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real peers, run as separate processes: c-client (through spooltest/bin/cclient-dotlock, built
 * against libc-client), procmail's lockfile, liblockfile's dotlockfile, Python's mailbox, and
 * spoollock's own CLI. c-client creates nothing as root, so peers run as the unprivileged test user
 * (spooltest/run setup creates it) in directories under that user's home.
 */
final class Peers {
    static final String USER = System.getenv().getOrDefault("SPOOLTEST_USER", "spooltest");
    static final Path TOP = Path.of(System.getProperty("spoollock.top", ".")).toAbsolutePath().normalize();
    static final Path HOME = Path.of("/home", USER);
    static final Path IT_ROOT = HOME.resolve("it");
    /** Jar, libraries, C helpers and scripts, copied where the test user can read them. */
    static final Path DIST = stage();
    static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    /** What runs inside {@link #withTmpfs}. */
    @FunctionalInterface
    interface InDirectory {
        void run(Path dir) throws Exception;
    }

    /**
     * Runs {@code body} in a fresh tmpfs of {@code size} (e.g. "256k"), a disk small enough to fill,
     * then unmounts it. Skips the test where mounting is impossible (not root, no mount rights).
     */
    static void withTmpfs(String size, InDirectory body) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ROOT, "mounting a small tmpfs needs root");
        Path mnt = Files.createTempDirectory("spoollock-tmpfs");
        Result m = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mnt.toString()), 30);
        org.junit.jupiter.api.Assumptions.assumeTrue(m.status() == 0, "cannot mount tmpfs here: " + m);
        try {
            body.run(mnt);
        } finally {
            run(List.of("umount", mnt.toString()), 30);
            Files.deleteIfExists(mnt);
        }
    }

    private Peers() {
    }

    private static Path stage() {
        try {
            Path jar = TOP.resolve("target/spoollock.jar");
            Path cbin = TOP.resolve("spooltest/bin/cclient-dotlock");
            if (!Files.isRegularFile(jar) || !Files.isExecutable(cbin) || !Files.isDirectory(HOME)) {
                fail("interop tests need the packaged jar, the C helpers and the test user: run spooltest/run test"
                        + " (missing: " + (Files.isRegularFile(jar) ? "" : jar + " ")
                        + (Files.isExecutable(cbin) ? "" : cbin + " ") + (Files.isDirectory(HOME) ? "" : HOME) + ")");
            }
            Files.createDirectories(IT_ROOT);
            chown(IT_ROOT);
            pruneOldRuns();
            Path dist = Files.createTempDirectory(IT_ROOT, "dist-");
            Files.copy(jar, dist.resolve("spoollock.jar"));
            Path lib = Files.createDirectories(dist.resolve("lib"));
            try (Stream<Path> s = Files.list(TOP.resolve("target/lib"))) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.copy(p, lib.resolve(p.getFileName()));
                }
            }
            try (Stream<Path> s = Files.list(TOP.resolve("spooltest/bin"))) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.copy(p, dist.resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
            for (String script : List.of("probe.sh", "pylock.py", "pymbox.py", "lmtpclient.py")) {
                Files.copy(TOP.resolve("spooltest").resolve(script), dist.resolve(script), StandardCopyOption.COPY_ATTRIBUTES);
            }
            run(List.of("chmod", "-R", "a+rX", dist.toString()), 10);
            return dist;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Earlier runs' copies and scratch directories (older than a day) would pile up on a developer's machine. */
    private static void pruneOldRuns() throws IOException {
        long dayAgo = System.currentTimeMillis() - 24L * 3600 * 1000;
        try (Stream<Path> s = Files.list(IT_ROOT)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.getLastModifiedTime(p).toMillis() < dayAgo) {
                    run(List.of("rm", "-rf", "--one-file-system", p.toString()), 60);
                }
            }
        }
    }

    /** A fresh directory owned by the test user, with an empty mailbox file "mbox" in it. */
    static Path newDir(String name) throws IOException {
        Path dir = Files.createTempDirectory(IT_ROOT, name + "-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));
        Path mbox = dir.resolve("mbox");
        Files.write(mbox, new byte[0]);
        Files.setPosixFilePermissions(mbox, PosixFilePermissions.fromString("rw-rw-rw-"));
        chown(dir);
        chown(mbox);
        return dir;
    }

    static void chown(Path p) {
        if (ROOT) {
            run(List.of("chown", USER + ":" + USER, p.toString()), 10);
        }
    }

    /** The command line, run as the test user when we are root. */
    static List<String> asUser(String... cmd) {
        List<String> l = new ArrayList<>();
        if (ROOT) {
            l.addAll(List.of("runuser", "-u", USER, "--"));
        }
        l.addAll(Arrays.asList(cmd));
        return l;
    }

    static List<String> asUser(List<String> cmd) {
        return asUser(cmd.toArray(String[]::new));
    }

    /** spoollock's CLI as a separate JVM. */
    static List<String> ours(String... args) {
        List<String> l = new ArrayList<>(List.of(JAVA, "--enable-native-access=ALL-UNNAMED", "-cp", DIST.resolve("spoollock.jar") + ":" + DIST.resolve("lib") + "/*",
                "org.spoollock.cli.Main"));
        l.addAll(Arrays.asList(args));
        return l;
    }

    private static final java.util.regex.Pattern MESSAGE_ID = java.util.regex.Pattern.compile("(?m)^Message-ID: <([^>]+)>");

    /** Counts each {@code Message-ID:} header (at a line's start) of {@code text} into {@code seen}; returns how many there were. */
    static int countMessageIds(CharSequence text, java.util.Map<String, Integer> seen) {
        java.util.regex.Matcher m = MESSAGE_ID.matcher(text);
        int n = 0;
        while (m.find()) {
            seen.merge(m.group(1), 1, Integer::sum);
            n++;
        }
        return n;
    }

    /** spoollock's CLI parsing every mbox in parts of {@code partBytes} on 3 threads (its parallel scan, boundaries everywhere). */
    static List<String> oursInParts(long partBytes, String... args) {
        List<String> l = ours(args);
        l.addAll(1, List.of("-Dspoollock.parse.chunkBytes=" + partBytes, "-Dspoollock.parse.threads=3"));
        return l;
    }

    /** spoollock's CLI on a given JVM (java binary), optionally without _JAVA_SR_SIGNUM. */
    static List<String> oursOn(String java, boolean srSignum, String... args) {
        List<String> l = new ArrayList<>();
        l.add("env");
        if (!srSignum) {
            l.add("-u");
            l.add("_JAVA_SR_SIGNUM");
        }
        List<String> cmd = new ArrayList<>(ours(args));
        cmd.set(0, java);
        l.addAll(cmd);
        return l;
    }

    /** c-client's mail_open() holding a mailbox read-write, as imapd does (see spooltest/c/cclient-open.c). */
    static List<String> cclientOpen(Path mbox, String mode) {
        return asUser("env", "HOME=" + HOME, "sh", "-c", "cd && exec \"$0\" \"$1\" \"$2\"",
                DIST.resolve("cclient-open").toString(), HOME.relativize(mbox).toString(), mode);
    }

    /** spooltest/c/cclient-mbox: c-client's view and changes of an mbox (list, flag, unflag, expunge, append). */
    static Result cclientMbox(String command, Path mbox, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "HOME=" + HOME, "sh", "-c", "cd && exec \"$0\" \"$@\"",
                DIST.resolve("cclient-mbox").toString(), command));
        if (command.equals("list") && args.length > 0 && args[0].equals("--rw")) {
            cmd.add("--rw");
            args = Arrays.copyOfRange(args, 1, args.length);
        }
        cmd.add(HOME.relativize(mbox).toString());
        cmd.addAll(Arrays.asList(args));
        return run(asUser(cmd), 120);
    }

    /** cclient-mbox on a mailbox name as c-client takes it (e.g. "#driver.tenex/it/x", relative to the home). */
    static Result cclientMboxName(String command, String name, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "HOME=" + HOME, "sh", "-c", "cd && exec \"$0\" \"$@\"",
                DIST.resolve("cclient-mbox").toString(), command, name));
        cmd.addAll(Arrays.asList(args));
        return run(asUser(cmd), 120);
    }

    /** Message-IDs in file order, as Python's mailbox sees them (the mailboxes are well formed). */
    static List<String> pythonIds(Path box) {
        Result py = run(List.of("python3", DIST.resolve("pymbox.py").toString(), "scan", box.toString()), 120);
        org.junit.jupiter.api.Assertions.assertEquals(0, py.status(), py.toString());
        List<String> l = py.out().lines().toList();
        return l.subList(1, l.size());
    }

    /** How many messages c-client counts in an mbox (cclient-mbox list). */
    static int cclientCount(Path box) {
        Result r = cclientMbox("list", box);
        org.junit.jupiter.api.Assertions.assertEquals(0, r.status(), r.toString());
        return Integer.parseInt(r.out().lines().findFirst().orElseThrow().split(" ")[5]);
    }

    /** c-client's mailutil, as the test user from its home. */
    static Result mailutil(String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "HOME=" + HOME, "sh", "-c", "cd && exec mailutil \"$@\"",
                "mailutil"));
        cmd.addAll(Arrays.asList(args));
        return run(asUser(cmd), 600);
    }

    /** spoollock list --long as the test user: "msgno uid flags size keywords" per message. */
    static List<String> ourList(Path box) {
        Result r = run(asUser(ours("list", "--long", box.toString())), 60);
        if (r.status() != 0) {
            fail("spoollock list " + box + ": " + r);
        }
        List<String> out = new ArrayList<>();
        for (String l : r.out().lines().toList()) {
            String[] w = l.split(" ");
            out.add(w[0] + " " + w[1] + " " + w[2] + " " + w[3] + " " + w[4]);
        }
        return out;
    }

    /** Runs with standard input from a file. */
    static Result runWithInput(List<String> cmd, Path input, int limitSeconds) {
        return run(cmd, limitSeconds, input);
    }

    static String cclient() {
        return DIST.resolve("cclient-dotlock").toString();
    }

    static String probe() {
        return DIST.resolve("probe.sh").toString();
    }

    static String pylock() {
        return DIST.resolve("pylock.py").toString();
    }

    /** A finished process: exit status and what it printed. */
    record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /**
     * The type of the mount holding {@code p}, as util-linux's findmnt reads it (libmount on
     * /proc/self/mountinfo): an oracle for what spoollock reports, which shares no code with
     * FileSystemInfo (Java's FileStore, from /proc/mounts).
     */
    static String mountType(Path p) {
        Result r = run(List.of("findmnt", "--noheadings", "--output", "FSTYPE", "--target", p.toString()), 30);
        assertTrue(r.status() == 0 && !r.out().isBlank(), "findmnt: " + r);
        return r.out().trim();
    }

    /**
     * c-client's session-lock name for {@code file} in /tmp (".%lx.%lx" of st_dev and st_ino), made by
     * coreutils' stat (%D: the device number in hex) and the shell's printf, sharing no code with
     * spoollock's; SessionPeersIT checks the name against the file c-client itself holds open.
     */
    static String sessionLockName(Path file) {
        Result r = run(List.of("sh", "-c", "printf '/tmp/.%s.%x' \"$(stat -c %D \"$1\")\" \"$(stat -c %i \"$1\")\"", "sh",
                file.toString()), 30);
        assertTrue(r.status() == 0 && r.out().matches("/tmp/\\.[0-9a-f]+\\.[0-9a-f]+"), "stat: " + r);
        return r.out();
    }

    /** Runs to completion within the limit (a hang is a test failure, not a wait). */
    static Result run(List<String> cmd, int limitSeconds) {
        return run(cmd, limitSeconds, null);
    }

    private static Result run(List<String> cmd, int limitSeconds, Path input) {
        try {
            Path out = Files.createTempFile("peer-out", ".txt");
            Path err = Files.createTempFile("peer-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(input != null ? input.toFile() : new java.io.File("/dev/null")));
            pb.environment().put("_JAVA_SR_SIGNUM", "39");
            Process p = pb.start();
            if (!p.waitFor(limitSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                fail("did not finish within " + limitSeconds + " s: " + cmd);
            }
            // ISO-8859-1: lossless for whatever bytes a peer prints (8-bit mail, binary junk)
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
                    Files.readString(err, StandardCharsets.ISO_8859_1));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A peer that holds a lock until told to let go: started, then waited for until it prints
     * "locked". Closing it (or {@link #release()}) closes its stdin, which makes it unlock.
     */
    static final class Holder implements AutoCloseable {
        final Process process;
        private final Path err;

        private final StringBuilder said = new StringBuilder();

        /** Starts the holder and waits (up to 30 s) until it says "locked". */
        Holder(List<String> cmd) throws IOException, InterruptedException {
            this(cmd, true);
        }

        /** Starts the holder; with wait, fails the test unless it says "locked" within 30 s. */
        Holder(List<String> cmd, boolean wait) throws IOException, InterruptedException {
            err = Files.createTempFile("holder-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
            pb.environment().put("_JAVA_SR_SIGNUM", "39");
            process = pb.start();
            Thread reader = new Thread(() -> {
                try {
                    var in = process.getInputStream();
                    for (int c; (c = in.read()) >= 0; ) {
                        synchronized (said) {
                            said.append((char) c);
                            said.notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // the process went away
                }
            }, "holder-stdout");
            reader.setDaemon(true);
            reader.start();
            if (wait && !awaitLocked(30)) {
                process.destroyForcibly();
                fail("holder " + cmd + " never said 'locked'; stderr: " + stderr());
            }
        }

        /** Whether the holder said "locked" within the given seconds. */
        boolean awaitLocked(double seconds) throws InterruptedException {
            return awaitOutput("locked", seconds);
        }

        /** Whether the holder printed this text within the given seconds. */
        boolean awaitOutput(String text, double seconds) throws InterruptedException {
            long deadline = System.nanoTime() + (long) (seconds * 1e9);
            synchronized (said) {
                while (!said.toString().contains(text)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(said, left);
                }
                return true;
            }
        }

        String stderr() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }

        /**
         * SIGKILL to the holder itself and everything under it (runuser forks the real program), so
         * nothing gets to unlock: what it held stays behind, as after a crash.
         */
        void kill9() throws InterruptedException {
            List<ProcessHandle> below = process.descendants().toList();
            below.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor();
            for (ProcessHandle d : below) {
                d.onExit().join();
            }
        }

        /** Tells the holder to unlock and waits for it to exit. */
        int release() throws IOException, InterruptedException {
            process.getOutputStream().close();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "holder did not exit after stdin closed");
            return process.exitValue();
        }

        @Override
        public void close() throws IOException, InterruptedException {
            if (process.isAlive()) {
                release();
            }
            Files.deleteIfExists(err);
        }
    }
}
