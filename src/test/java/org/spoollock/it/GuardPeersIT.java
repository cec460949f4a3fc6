package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The spool guardian against c-client: a `spoollock deliver` killed with -9 half-way through its
 * write (fault point append.partial) while c-client's mail_append waits for the same mailbox. Without
 * a guardian c-client keeps waiting for the dead dot-lock (300 s, after which it would keep the half
 * message as a message); once `spoollock guard` runs, the half message is cut out and c-client's
 * append goes through: c-client, Python and spoollock then see the old messages and c-client's, and
 * nothing of the killed delivery.
 */
class GuardPeersIT {
    private static final String FROM = "From alice@example.org Wed Dec  2 05:53:22 1992\n";

    private static Process start(List<String> cmd, Path input, Path err) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(input != null ? ProcessBuilder.Redirect.from(input.toFile())
                        : ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("_JAVA_SR_SIGNUM", "39");
        return pb.start();
    }

    private static void await(Process p, Path err, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(err, StandardCharsets.ISO_8859_1).contains(what)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                fail("never said '" + what + "'; stderr: " + Files.readString(err, StandardCharsets.ISO_8859_1));
            }
            Thread.sleep(5);
        }
    }



    @Test
    void aDeliveryKilledHalfWayWhileCClientWaitsIsCutOutByTheGuardianAndCClientNeverSeesIt() throws Exception {
        Path dir = Peers.newDir("guard");
        Path box = dir.resolve("mbox");
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 3; i++) {
            b.append(FROM).append("Message-ID: <old").append(i).append("@guard>\nSubject: ").append(i).append("\n\nbody\n\n");
        }
        Files.writeString(box, b, StandardCharsets.ISO_8859_1);
        Peers.chown(box);
        List<String> before = Peers.pythonIds(box);
        long sizeBefore = Files.size(box);

        // a big delivery, paused half-way through its write (it holds the dot-lock and flock)
        Path big = dir.resolve("big");
        Files.writeString(big, "Message-ID: <big@guard>\nSubject: big\n\n" + "b\n".repeat(400_000));
        Path err = dir.resolve("deliver.err");
        List<String> deliver = Peers.ours("deliver", box.toString());
        deliver.add(1, "-Dspoollock.faults=append.partial:pause");
        Process d = start(deliver, big, err);
        await(d, err, "spoollock-fault");
        assertTrue(Files.size(box) > sizeBefore, "half a message is written");

        // c-client's mail_append to the same mailbox, waiting for the lock
        Path msg = dir.resolve("cc");
        Files.writeString(msg, "Message-ID: <cclient@guard>\nSubject: c-client\n\nappended by c-client\n");
        Peers.chown(msg);
        Path ccErr = dir.resolve("cclient.err");
        Process cc = start(Peers.asUser("env", "HOME=" + Peers.HOME, "sh", "-c", "cd && exec \"$0\" \"$@\"",
                Peers.DIST.resolve("cclient-mbox").toString(), "append", Peers.HOME.relativize(box).toString(),
                msg.toString()), null, ccErr);
        Thread.sleep(1000);
        assertTrue(cc.isAlive(), "c-client waits for the lock the paused delivery holds");

        d.destroyForcibly(); // kill -9 half-way
        assertTrue(d.waitFor(30, TimeUnit.SECONDS));
        // no guardian yet: c-client keeps waiting for the dead lock, the half message and its note stay
        Thread.sleep(4000);
        assertTrue(cc.isAlive(), "without a guardian c-client waits for the dead lock (300 s)");
        assertTrue(Files.exists(dir.resolve(".mbox.spoollock-append")));

        Path gErr = dir.resolve("guard.err");
        Process g = start(Peers.ours("guard", dir.toString()), null, gErr);
        try {
            long t0 = System.nanoTime();
            if (!cc.waitFor(30, TimeUnit.SECONDS)) {
                cc.destroyForcibly();
                fail("c-client still waits 30 s after the guardian started; guardian: "
                        + Files.readString(gErr, StandardCharsets.ISO_8859_1));
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, cc.exitValue(), Files.readString(ccErr, StandardCharsets.ISO_8859_1));
            String glog = Files.readString(gErr, StandardCharsets.ISO_8859_1);
            assertTrue(glog.contains("guard finished mailbox=" + box) && glog.contains("dead holder"), glog);

            List<String> expected = new ArrayList<>(before);
            expected.add("<cclient@guard>");
            assertEquals(expected, Peers.pythonIds(box), "Python: the old messages and c-client's, nothing of the killed delivery");
            assertEquals(4, Peers.cclientCount(box));
            Peers.Result count = Peers.run(Peers.ours("count", box.toString()), 120);
            assertEquals("4", count.out().trim(), count.toString());
            assertFalse(Files.readString(box, StandardCharsets.ISO_8859_1).contains("big@guard"));
            assertFalse(Files.exists(dir.resolve(".mbox.spoollock-append")));
            assertFalse(Files.exists(dir.resolve("mbox.lock")));
            System.out.println("GuardPeersIT: c-client's append done " + ms + " ms after the guardian started");
        } finally {
            // SIGTERM: the guardian stops, exit 0
            g.destroy();
            assertTrue(g.waitFor(20, TimeUnit.SECONDS), "the guardian stops on SIGTERM");
            assertEquals(0, g.exitValue(), Files.readString(gErr, StandardCharsets.ISO_8859_1));
            assertTrue(Files.readString(gErr, StandardCharsets.ISO_8859_1).contains("guard guard_stopped finished=1"),
                    Files.readString(gErr, StandardCharsets.ISO_8859_1));
        }
    }
}
