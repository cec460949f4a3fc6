package org.spoollock.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;


/**
 * Run inside {@code spooltest/sshfs-check --exec} by {@link SshfsBreakRaceIT}: args MNT_A MNT_B ROUNDS.
 * Two {@link BreakRacer} processes per mount (four "on two hosts") race for each of ROUNDS stale
 * locks in one shared directory, half abandoned by a dead holder, half simply old. flock does not
 * reach across the mounts, so only what the file server does atomically can make exactly one win.
 * Prints one line per bad round and exits 0 only if every round had exactly one winner and every
 * winner's release was clean (not {@code STOLEN}/{@code LOST}).
 */
public final class SshfsBreakRace {
    private static final int PER_MOUNT = 2;

    public static void main(String[] args) throws Exception {
        Path a = Path.of(args[0]);
        Path b = Path.of(args[1]);
        int rounds = Integer.parseInt(args[2]);
        String name = "break-race-" + ProcessHandle.current().pid();
        Path dirA = Files.createDirectory(a.resolve(name));
        Path dirB = b.resolve(name);
        BreakRacer.seedStaleLocks(dirA, rounds);
        String cp = System.getProperty("java.class.path");
        List<Process> racers = new ArrayList<>();
        Path logs = Files.createTempDirectory("sshfs-break-race-logs-");
        int n = 2 * PER_MOUNT;
        for (int i = 0; i < n; i++) {
            Path dir = i % 2 == 0 ? dirA : dirB; // alternate "hosts"
            racers.add(new ProcessBuilder(Peers.JAVA, "--enable-native-access=ALL-UNNAMED", "-cp", cp, BreakRacer.class.getName(),
                    dir.toString(), Integer.toString(rounds), Integer.toString(i)).redirectErrorStream(true)
                    .redirectOutput(logs.resolve("racer-" + i + ".log").toFile()).start());
        }
        int bad = 0;
        try {
            BreakRacer.waitFor(dirA, "ready-", n, 90);
            Thread.sleep(3500); // the empty locks are now older than the racers' 3 s stale time
            for (int r = 0; r < rounds; r++) {
                Files.writeString(dirA.resolve("go-" + r), "");
                BreakRacer.waitFor(dirA, "result-" + r + "-", n, 60);
                StringBuilder who = new StringBuilder();
                int winners = 0;
                for (int i = 0; i < n; i++) {
                    String result = Files.readString(dirA.resolve("result-" + r + "-" + i));
                    if (result.equals("won")) {
                        winners++;
                        who.append(' ').append(i % 2 == 0 ? "A" : "B").append(i);
                    }
                }
                if (winners != 1) {
                    bad++;
                    System.out.println("round " + r + (r % 2 == 0 ? " (dead holder)" : " (old lock)") + ": " + winners
                            + " winners:" + who);
                }
            }
            Files.writeString(dirA.resolve("finish"), "");
            for (int i = 0; i < n; i++) {
                Process p = racers.get(i);
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    bad++;
                    System.out.println("racer " + i + (i % 2 == 0 ? " (A)" : " (B)") + " did not release cleanly: "
                            + Files.readString(logs.resolve("racer-" + i + ".log")).strip());
                }
            }
        } catch (IllegalStateException timedOut) {
            System.out.println(timedOut.getMessage());
            try (var s = Files.list(dirA)) {
                System.out.println("in " + dirA + ": " + s.map(p -> p.getFileName().toString()).sorted().toList());
            }
            for (int i = 0; i < n; i++) {
                System.out.println("racer " + i + (racers.get(i).isAlive() ? " running" : " exited " + racers.get(i).exitValue())
                        + ": " + Files.readString(logs.resolve("racer-" + i + ".log")).strip());
            }
            bad++;
        } finally {
            for (Process p : racers) {
                p.destroyForcibly();
            }
        }
        try (var s = Files.list(dirA)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().contains(".lock")) {
                    bad++;
                    System.out.println("left behind: " + p.getFileName());
                }
            }
        }
        System.out.println(rounds + " rounds, " + bad + " problems");
        System.exit(bad == 0 ? 0 : 1);
    }
}
