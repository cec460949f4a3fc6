package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * c-client breaks a stale lock by unlink-then-create, so two breakers can both believe they hold it.
 * Among spoollock processes exactly one must win: N processes race for each of many stale locks,
 * half of them abandoned by a dead holder on this host, half simply old (c-client's empty locks).
 */
class BreakRaceIT {
    private static final int RACERS = 4;
    private static final int ROUNDS = 24;

    @Test
    void exactlyOneOfManyBreakersWinsEachRound() throws Exception {
        Path dir = Files.createTempDirectory("break-race-");
        BreakRacer.seedStaleLocks(dir, ROUNDS);
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<Process> racers = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            racers.add(new ProcessBuilder(Peers.JAVA, "--enable-native-access=ALL-UNNAMED", "-cp", cp, BreakRacer.class.getName(), dir.toString(),
                    Integer.toString(ROUNDS), Integer.toString(i)).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("racer-" + i + ".log").toFile()).start());
        }
        try {
            race(dir, racers);
        } finally {
            for (Process p : racers) { // a failed round must not leave racers spinning forever
                p.destroyForcibly();
            }
        }
    }

    private void race(Path dir, List<Process> racers) throws Exception {
        BreakRacer.waitFor(dir, "ready-", RACERS, 60);
        Thread.sleep(3500); // the empty locks are now older than the racers' 3 s stale time
        for (int r = 0; r < ROUNDS; r++) {
            Files.writeString(dir.resolve("go-" + r), "");
            BreakRacer.waitFor(dir, "result-" + r + "-", RACERS, 30);
            int winners = 0;
            for (int i = 0; i < RACERS; i++) {
                String result = Files.readString(dir.resolve("result-" + r + "-" + i));
                assertTrue(result.equals("won") || result.equals("lost"), "racer " + i + " round " + r + ": " + result);
                winners += result.equals("won") ? 1 : 0;
            }
            assertEquals(1, winners, "round " + r + (r % 2 == 0 ? " (dead holder)" : " (old lock)") + ": winners");
        }
        Files.writeString(dir.resolve("finish"), "");
        for (int i = 0; i < RACERS; i++) {
            Process p = racers.get(i);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), "racer " + i + ": " + Files.readString(dir.resolve("racer-" + i + ".log")));
        }
        try (var s = Files.list(dir)) {
            assertEquals(0, s.filter(p -> p.getFileName().toString().contains(".lock")).count(),
                    "locks or hitching posts left behind");
        }
    }
}
