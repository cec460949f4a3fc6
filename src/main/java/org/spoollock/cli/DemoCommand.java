package org.spoollock.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spoollock demo}: the main job, end to end, in a scratch directory, in well under a minute. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Show the main job in a scratch directory: several processes delivering into one mbox at once",
                "under c-client's locks (spoollock's deliver, and Python's mailbox module when python3 is here), a reader",
                "that sees what c-client would, a kiss-of-death handoff of a read-write session, and the result checked."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--writers", defaultValue = "3", description = "spoollock delivering processes (default: ${DEFAULT-VALUE}).")
    int writers;

    @Option(names = "--messages", defaultValue = "4", description = "Messages each delivers (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--dir", description = "Scratch directory (default: a new one under java.io.tmpdir).")
    Path dir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private PrintWriter out;
    private final String java = ProcessHandle.current().info().command().orElse("java");
    private final String cp = System.getProperty("java.class.path");

    private List<String> spoollock(String... args) {
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                Main.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private void say(String s) {
        out.println(s);
        out.flush();
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        out = spec.commandLine().getOut();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path home = Path.of(System.getProperty("user.home"));
        // c-client takes mailbox names relative to the user's home, and does nothing as root
        boolean mailutil = onPath("mailutil") && !root && dir == null && Files.isWritable(home);
        Path work = dir != null ? Files.createDirectories(dir)
                : mailutil ? Files.createTempDirectory(home, ".spoollock-demo-") : Files.createTempDirectory("spoollock-demo-");
        Path inbox = work.resolve("inbox");
        boolean python = onPath("python3");
        say("spoollock demo, in " + work);
        say("");
        say("1. Deliveries at the same time into one mbox, " + inbox.getFileName() + ": " + writers + " spoollock processes"
                + (python ? ", one Python mailbox-module process" : "") + (mailutil ? ", c-client's mailutil" : "") + ", "
                + messages + " messages each.");
        if (!mailutil && onPath("mailutil")) {
            say("   (c-client's mailutil sits this out: it opens and creates nothing as root; run the demo as an ordinary"
                    + " user to see it take part)");
        }
        say("   Each takes c-client's locks (" + inbox.getFileName() + ".lock, then flock) for its append, so no message"
                + " can land inside another.");
        List<Process> procs = new ArrayList<>();
        for (int w = 1; w <= writers; w++) {
            StringBuilder sh = new StringBuilder();
            for (int m = 1; m <= messages; m++) {
                sh.append("printf 'From: writer").append(w).append("@example.org\\nSubject: writer ").append(w)
                        .append(" message ").append(m).append("\\nMessage-ID: <w").append(w).append('.').append(m)
                        .append("@demo>\\n\\nFrom writer ").append(w).append(", message ").append(m).append("\\n' | ")
                        .append(quote(spoollock("deliver", "--create", inbox.toString()))).append(" || exit 1; ");
            }
            procs.add(new ProcessBuilder("sh", "-c", sh.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).start());
        }
        if (python) {
            String py = "import mailbox,time\nb=mailbox.mbox('" + inbox + "')\nfor i in range(" + messages + "):\n"
                    + "  m=mailbox.mboxMessage()\n  m.set_unixfrom('From python@example.org Mon Nov 23 10:00:00 2026')\n"
                    + "  m['Subject']='python message %d'%(i+1)\n  m['Message-ID']='<py.%d@demo>'%(i+1)\n"
                    + "  m.set_payload('From Python\\n')\n  while True:\n    try:\n      b.lock(); break\n"
                    + "    except mailbox.ExternalClashError:\n      time.sleep(0.005)\n"
                    + "  try:\n    b.add(m); b.flush()\n  finally:\n    b.unlock()\n";
            procs.add(new ProcessBuilder("python3", "-c", py).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).start());
        }
        if (mailutil) {
            Path src = work.resolve("from-mailutil");
            StringBuilder b = new StringBuilder();
            for (int m = 1; m <= messages; m++) {
                b.append("From mailutil@example.org Mon Nov 23 10:00:00 2026\nSubject: mailutil message ").append(m)
                        .append("\nMessage-ID: <mu.").append(m).append("@demo>\n\nFrom c-client\n\n");
            }
            Files.writeString(src, b.toString());
            // an empty inbox would be c-client's "dummy" mailbox to it: let our first delivery create it first
            for (int wait = 0; wait < 600 && (!Files.exists(inbox) || Files.size(inbox) == 0); wait++) {
                Thread.sleep(10);
            }
            procs.add(new ProcessBuilder("mailutil", "append", home.relativize(src).toString(), home.relativize(inbox).toString())
                    .directory(home.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start());
        }
        int failed = 0;
        for (Process p : procs) {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                failed++;
            }
        }
        int expected = writers * messages + (python ? messages : 0) + (mailutil ? messages : 0);
        say("   done: " + (procs.size() - failed) + " of " + procs.size() + " processes finished cleanly.");
        say("");
        say("2. A reader, as c-client reads the mailbox (spoollock list: msgno, UID, flags SAFDT, RFC822 size):");
        Run list = run(spoollock("list", inbox.toString()));
        list.out.lines().limit(6).forEach(l -> say("   " + l));
        if (list.out.lines().count() > 6) {
            say("   ... (" + list.out.lines().count() + " messages)");
        }
        say("");
        say("3. A read-write session holds the mailbox (spoollock open, as imapd would), and another program asks for");
        say("   it to flag message 1 \\Seen: c-client's kiss of death, SIGUSR2 to the holder's PID, which yields.");
        Process holder = new ProcessBuilder(spoollock("open", "--hold", "30", inbox.toString()))
                .redirectErrorStream(true).start();
        BufferedReader said = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        String first = said.readLine();
        say("   holder (pid " + holder.pid() + "): " + first);
        long t0 = System.nanoTime();
        Run flag = run(spoollock("flag", inbox.toString(), "1", "+\\Seen"));
        double ms = (System.nanoTime() - t0) / 1e6;
        holder.waitFor(5, TimeUnit.SECONDS);
        String line;
        while (holder.isAlive() && (line = said.readLine()) != null) {
            say("   holder: " + line);
            if (line.startsWith("gave up")) {
                break;
            }
        }
        holder.destroy();
        say("   flag: " + (flag.status == 0 ? "written, " + Math.round(ms) + " ms including its JVM start" : "failed: " + flag.err));
        say("");
        say("4. The result, checked:");
        Run check = run(spoollock("check", inbox.toString()));
        check.out.lines().forEach(l -> say("   " + l));
        Map<String, Integer> ids = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^Message-ID: <([^>]+)>").matcher(Files.readString(inbox, StandardCharsets.ISO_8859_1));
        while (m.find()) {
            ids.merge(m.group(1), 1, Integer::sum);
        }
        boolean once = ids.size() == expected && ids.values().stream().allMatch(v -> v == 1);
        boolean seen = run(spoollock("list", inbox.toString())).out.lines().findFirst().orElse("").contains(" S");
        say("   " + ids.size() + " of " + expected + " messages present, " + (once ? "each exactly once" : "NOT each once")
                + "; message 1 is " + (seen ? "\\Seen" : "NOT \\Seen") + ".");
        boolean ok = failed == 0 && once && seen && check.status == 0 && flag.status == 0;
        say("");
        say(ok ? "All good: concurrent writers did not lose or mangle a message, the reader saw c-client's view, and the"
                + " session handed over when asked." : "PROBLEM: see above.");
        say("Scratch directory: " + work + " (the mailbox is an ordinary mbox: try `spoollock list " + inbox + "`)");
        return ok ? ExitCodes.OK : ExitCodes.SOFTWARE;
    }

    private record Run(int status, String out, String err) {
    }

    private static Run run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        byte[] o = p.getInputStream().readAllBytes();
        byte[] e = p.getErrorStream().readAllBytes();
        p.waitFor();
        return new Run(p.exitValue(), new String(o, StandardCharsets.UTF_8), new String(e, StandardCharsets.UTF_8).trim());
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    private static String quote(List<String> cmd) {
        StringBuilder b = new StringBuilder();
        for (String a : cmd) {
            b.append(b.length() == 0 ? "" : " ").append('\'').append(a.replace("'", "'\\''")).append('\'');
        }
        return b.toString();
    }
}
