package org.spoollock.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The run bin/spoollock records for a JVM's AOT cache (JDK 24 and later: {@code -XX:AOTMode=record}, then
 * {@code create}): the short commands an MDA or a script starts, on a scratch mailbox, printing nothing.
 * The launcher starts it in the background the first time a JDK is used, so that neither the user's
 * command nor its output (the JVM prints its AOT messages on standard output) is touched; later runs map
 * the cache. {@code StartupTraining}.
 */
public final class StartupTraining {
    private StartupTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("spoollock-training");
        PrintStream out = System.out;
        PrintStream err = System.err;
        InputStream in = System.in;
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        System.setOut(nowhere);
        System.setErr(nowhere);
        try {
            String box = dir.resolve("inbox").toString();
            String session = "--session-dir=" + dir;
            byte[] message = "From: training@example.org\nSubject: training\n\nthe JVM's AOT cache is recorded from this\n"
                    .getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 3; i++) {
                System.setIn(new ByteArrayInputStream(message));
                expect(0, "deliver", session, box);
            }
            for (List<String> cmd : List.of(List.of("count", box), List.of("list", "--long", box),
                    List.of("flag", session, box, "1", "+\\Seen"), List.of("flag", session, box, "2", "+\\Deleted"),
                    List.of("expunge", session, box), List.of("check", box), List.of("locks", box),
                    List.of("lock", session, box, "--", "true"), List.of("copy", box, box + ".tenex", "--format", "tenex"),
                    List.of("--help"))) {
                expect(0, cmd.toArray(new String[0]));
            }
            expect(ExitCodes.NOINPUT, "count", dir.resolve("missing").toString()); // the way a failure is reported
        } finally {
            System.setOut(out);
            System.setErr(err);
            System.setIn(in);
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Runs a command of the training; a cache recorded from a run that went another way would hold the wrong classes. */
    private static void expect(int status, String... args) {
        int got = Main.run(args);
        if (got != status) {
            throw new IllegalStateException("training: spoollock " + String.join(" ", args) + " exited " + got
                    + ", not " + status);
        }
    }
}
