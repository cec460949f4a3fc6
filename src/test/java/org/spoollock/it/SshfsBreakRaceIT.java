package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Breaking one stale lock from two hosts at once: {@link SshfsBreakRace} over two sshfs mounts of
 * one directory (spooltest/sshfs-check sets up a private sshd on 127.0.0.1:2222 and the mounts).
 * Before breakers took turns through a break lock made by link on the server, two racers on
 * different mounts could both win one round: flock, their old turn-taking, is local to a mount,
 * and sshfs's per-path inode numbers made the second breaker's "still the same lock?" test pass
 * on the first one's fresh lock, which it then removed. Skipped where this cannot be set up (not
 * root, no FUSE or sshfs, the port taken, sshd or the mounts refused); a hang or an error of the setup
 * itself fails.
 */
class SshfsBreakRaceIT {
    private static final int ROUNDS = 40;

    @Test
    void exactlyOneBreakerWinsAcrossTwoMounts() throws Exception {
        Path top = Path.of("").toAbsolutePath();
        Path check = top.resolve("spooltest/sshfs-check");
        assumeTrue(Files.isExecutable(check), "spooltest/sshfs-check is missing");
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (mounts, private sshd)");
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/sshfs")) && Files.isExecutable(Path.of("/usr/sbin/sshd")),
                "sshfs or sshd not installed (spooltest/sshfs-check installs them)");
        assumeTrue(!listening(2222), "127.0.0.1:2222 is in use (another sshfs check is running)");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path log = Files.createTempFile("sshfs-break-race-", ".log");
        // sshfs-check exports MNT_A and MNT_B to the command it runs; the inner shell passes them on
        Process p = new ProcessBuilder(check.toString(), "--exec", "bash", "-c",
                "exec \"$0\" --enable-native-access=ALL-UNNAMED -cp \"$1\" " + SshfsBreakRace.class.getName()
                        + " \"$MNT_A\" \"$MNT_B\" " + ROUNDS, Peers.JAVA, cp)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        boolean done = p.waitFor(8, TimeUnit.MINUTES);
        if (!done) {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        String out = Files.readString(log);
        // Every step of sshfs-check is bounded (its packages are installed, see above): a timeout, before
        // the mounts or after, is a hang and a failure.
        assertTrue(done, "sshfs-check did not finish within 8 minutes (" + (out.contains("mounted") ? "after"
                : "before") + " mounting):\n" + out);
        // Skipped only where sshfs-check says this machine cannot host it (exit 2 with that message); its own
        // errors (exit 70: setup failed, bin/spoollock does not run) and the racers' exit status are results.
        assumeTrue(!(p.exitValue() == 2 && out.contains("sshfs-check: cannot set up here:") && !out.contains("rounds,")),
                "sshfs-check could not set up here:\n" + out);
        assertEquals(0, p.exitValue(), "breakers on two sshfs mounts:\n" + out);
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
