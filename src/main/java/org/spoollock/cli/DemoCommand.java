package org.spoollock.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.spoollock.lock.DotLock;
import org.spoollock.lock.DotLockOptions;
import org.spoollock.lock.DotLockStatus;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spoollock demo}: the main job, shown end to end in a scratch directory. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Show several processes taking a mailbox's dot-lock in turn, and who holds it, in a scratch directory.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--writers", defaultValue = "4", description = "How many processes compete (default: ${DEFAULT-VALUE}).")
    int writers;

    @Option(names = "--dir", description = "Scratch directory (default: a new one under java.io.tmpdir).")
    Path dir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("spoollock-demo-");
        Path inbox = work.resolve("inbox");
        Files.write(inbox, new byte[0]);
        out.println("spoollock demo: " + writers + " processes each append two lines to " + inbox);
        out.println("under its dot-lock " + inbox + ".lock, pausing between the lines. Without the lock their");
        out.println("lines would interleave; with it, each writer's pair stays together.");
        out.println();
        out.flush();

        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("java.class.path");
        Map<Long, Integer> writerOfPid = new HashMap<>();
        List<Process> procs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 1; i <= writers; i++) {
            String script = "echo \"writer " + i + " begins\" >> \"$0\"; sleep 0.3; echo \"writer " + i + " ends\" >> \"$0\"";
            ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp, Main.class.getName(), "lock", "--timeout", "60",
                    inbox.toString(), "--", "sh", "-c", script, inbox.toString());
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT);
            Process p = pb.start();
            writerOfPid.put(p.pid(), i);
            procs.add(p);
            out.printf("  started writer %d as pid %d%n", i, p.pid());
        }
        out.println();
        long lastPid = -1;
        boolean wasHeld = false;
        while (procs.stream().anyMatch(Process::isAlive)) {
            DotLockStatus s = DotLock.inspect(inbox, DotLockOptions.defaults());
            long pid = s.present() ? s.holder().pid() : -1;
            if (pid != lastPid || s.present() != wasHeld) {
                double t = (System.nanoTime() - t0) / 1e9;
                if (s.present()) {
                    out.printf("  %5.2f s  `spoollock locks`: held by writer %s, %s%n", t,
                            writerOfPid.getOrDefault(pid, 0), s.holder().describe());
                } else {
                    out.printf("  %5.2f s  `spoollock locks`: free%n", t);
                }
                out.flush();
                lastPid = pid;
                wasHeld = s.present();
            }
            Thread.sleep(20);
        }
        int failures = 0;
        for (Process p : procs) {
            failures += p.waitFor() == 0 ? 0 : 1;
        }
        List<String> lines = Files.readAllLines(inbox, StandardCharsets.UTF_8);
        out.println();
        out.println("The mailbox now reads:");
        lines.forEach(l -> out.println("  | " + l));
        boolean paired = lines.size() == 2 * writers;
        for (int i = 0; paired && i < lines.size(); i += 2) {
            String w = lines.get(i).replace(" begins", "");
            paired = lines.get(i).endsWith(" begins") && lines.get(i + 1).equals(w + " ends");
        }
        out.println();
        out.println(paired && failures == 0 ? "Every writer's lines are together: the lock excluded them from each other."
                : "PROBLEM: lines interleaved or a writer failed (" + failures + " failed).");
        out.println("Scratch directory: " + work);
        out.flush();
        return paired && failures == 0 ? ExitCodes.OK : ExitCodes.SOFTWARE;
    }
}
