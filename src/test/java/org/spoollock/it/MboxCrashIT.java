package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * kill -9 of spoollock while it delivers or expunges, at chosen points (the store's fault points,
 * spoollock.faults=POINT:pause) and at random moments: afterwards the mailbox is in the state before
 * or the state after, as read by us, c-client and Python; nothing another program appended meanwhile
 * is lost. Also ENOSPC on a small tmpfs: exit 75 and the mailbox byte-identical.
 */
class MboxCrashIT {
    private static final String FROM = "From alice@example.org Wed Dec  2 05:53:22 1992\n";

    private static List<String> oursWithFault(String fault, String... args) {
        List<String> cmd = Peers.ours(args);
        if (fault != null) {
            cmd.add(1, "-Dspoollock.faults=" + fault);
        }
        return cmd;
    }

    /** Starts spoollock; if {@code fault} is set, waits until it stops there. Returns the running process. */
    private static Process start(List<String> cmd, Path input, Path err) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(input != null ? ProcessBuilder.Redirect.from(input.toFile())
                        : ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("_JAVA_SR_SIGNUM", "39");
        return pb.start();
    }

    private static void awaitFault(Process p, Path err) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(err, StandardCharsets.ISO_8859_1).contains("spoollock-fault")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                fail("never reached the fault point; stderr: " + Files.readString(err, StandardCharsets.ISO_8859_1));
            }
            Thread.sleep(5);
        }
    }

    private static void kill9(Process p) throws Exception {
        p.destroyForcibly(); // SIGKILL
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }



    private static int ourCount(Path box) {
        Peers.Result r = Peers.run(Peers.ours("count", box.toString()), 120);
        assertEquals(0, r.status(), r.toString());
        return Integer.parseInt(r.out().trim());
    }

    private static String mailbox(int messages, int bodyLines, String tag) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= messages; i++) {
            b.append(FROM).append("Message-ID: <").append(tag).append(i).append("@crash>\nSubject: ").append(i)
                    .append("\n\n");
            for (int k = 0; k < bodyLines; k++) {
                b.append("line ").append(k).append(" of message ").append(i).append('\n');
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** Kills a delivery of a big message half-way; returns the Message-IDs before it. */
    private static List<String> killDeliveryHalfWay(Path dir, Path box) throws Exception {
        Files.writeString(box, mailbox(3, 5, "old"), StandardCharsets.ISO_8859_1);
        Peers.chown(box);
        List<String> before = Peers.pythonIds(box);
        Path big = dir.resolve("big");
        Files.writeString(big, "Message-ID: <big@crash>\nSubject: big\n\n" + "b\n".repeat(400_000));
        Path err = dir.resolve("err");
        Process p = start(oursWithFault("append.partial:pause", "deliver", box.toString()), big, err);
        awaitFault(p, err);
        kill9(p);
        assertTrue(Files.size(box) > mailbox(3, 5, "old").length(), "half a message was written");
        // after its timeout, another MDA breaks our dead dot-lock: do that part now
        Files.deleteIfExists(dir.resolve("mbox.lock"));
        return before;
    }

    @Test
    void aDeliveryKilledMidwayIsCutOutAndWhatProcmailAppendedAfterItIsKept() throws Exception {
        Path dir = Peers.newDir("kill-deliver");
        Path box = dir.resolve("mbox");
        List<String> before = killDeliveryHalfWay(dir, box);
        Path rc = dir.resolve("rc");
        Files.writeString(rc, ":0:\n$MBOX\n");
        Peers.chown(rc);
        Path msg = dir.resolve("pm");
        Files.writeString(msg, "Message-ID: <procmail@crash>\nSubject: procmail\n\nappended after the crash\n");
        Peers.Result a = Peers.runWithInput(Peers.asUser("procmail", "-f", "procmail@example.org", "-m",
                "MBOX=" + box, rc.toString()), msg, 60);
        assertEquals(0, a.status(), a.toString());
        // the next spoollock open cuts the partial message out and keeps procmail's
        assertEquals(4, ourCount(box));
        List<String> after = new ArrayList<>(before);
        after.add("<procmail@crash>");
        assertEquals(after, Peers.pythonIds(box));
        assertEquals(4, Peers.cclientCount(box));
        assertFalse(Files.exists(dir.resolve(".mbox.spoollock-append")));
    }

    /**
     * c-client's append re-opens the mailbox read-write and rewrites it, so it adopts the half message
     * as a message of its own. Recovery sees the rewrite and leaves the file alone (and says so):
     * c-client and we then agree on what the mailbox holds.
     */
    @Test
    void aKilledDeliveryThatCClientRewroteIntoTheMailboxIsLeftAsCClientLeftIt() throws Exception {
        Path dir = Peers.newDir("kill-deliver-cc");
        Path box = dir.resolve("mbox");
        killDeliveryHalfWay(dir, box);
        Path msg = dir.resolve("cc");
        Files.writeString(msg, "Message-ID: <cclient@crash>\nSubject: c-client\n\nappended after the crash\n");
        Peers.chown(msg);
        Peers.Result a = Peers.cclientMbox("append", box, msg.toString());
        assertEquals(0, a.status(), a.toString());
        byte[] cclientWrote = Files.readAllBytes(box);
        Peers.Result count = Peers.run(Peers.ours("count", box.toString()), 120);
        assertEquals(0, count.status(), count.toString());
        assertTrue(count.err().contains("rewritten by another program"), count.err());
        assertEquals(5, Integer.parseInt(count.out().trim()));
        assertEquals(5, Peers.cclientCount(box));
        assertEquals(new String(cclientWrote, StandardCharsets.ISO_8859_1), Files.readString(box, StandardCharsets.ISO_8859_1));
    }

    @Test
    void anExpungeKilledAtEachPointIsBeforeOrAfter() throws Exception {
        for (String point : List.of("rewrite.planned", "rewrite.committed", "rewrite.applying")) {
            Path dir = Peers.newDir("kill-expunge");
            Path box = dir.resolve("mbox");
            Files.writeString(box, mailbox(200, 40, "m"), StandardCharsets.ISO_8859_1);
            Peers.Result f = Peers.run(Peers.ours("flag", box.toString(), "1:*", "+\\Seen"), 120); // status headers in
            assertEquals(0, f.status(), f.toString());
            f = Peers.run(Peers.ours("flag", box.toString(), "2,100", "+\\Deleted"), 120);
            assertEquals(0, f.status(), f.toString());
            List<String> before = Peers.pythonIds(box);
            List<String> expected = new ArrayList<>(before);
            expected.remove("<m100@crash>");
            expected.remove("<m2@crash>");
            Path err = dir.resolve("err");
            Process p = start(oursWithFault(point + ":pause", "expunge", box.toString()), null, err);
            awaitFault(p, err);
            kill9(p);
            assertEquals(point.equals("rewrite.planned") ? 200 : 198, ourCount(box), point);
            assertEquals(point.equals("rewrite.planned") ? before : expected, Peers.pythonIds(box), point);
            assertEquals(ourCount(box), Peers.cclientCount(box), point);
        }
    }

    /** The rewrite journal being written (it exists only before the commit). */
    private static Path journalBeingWritten(Path box) {
        return box.resolveSibling("." + box.getFileName() + ".spoollock-journal.tmp");
    }

    /** The committed rewrite journal (renamed from the one being written; removed when the rewrite is done). */
    private static Path committedJournal(Path box) {
        return box.resolveSibling("." + box.getFileName() + ".spoollock-journal");
    }

    /**
     * Waits until {@code p} has started its rewrite: its journal file exists (being written or
     * committed). False if the process ended before we saw one.
     */
    private static boolean awaitJournal(Process p, Path box) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(journalBeingWritten(box)) && !Files.exists(committedJournal(box))) {
            if (!p.isAlive()) {
                return false;
            }
            assertTrue(System.nanoTime() < deadline, "no rewrite journal after 120 s");
            Thread.sleep(1);
        }
        return true;
    }

    /**
     * A kill counts only if it landed inside the rewrite: one of the journal files is still there
     * after the kill (it appears when the rewrite starts writing and is removed when it is done), so
     * kills during JVM start, parsing or exit are not counted. Where the kill fell decides the
     * outcome: journal still being written, so not committed, is "before"; committed journal, which
     * the next open applies, is "after". Rounds are repeated until six kills landed inside.
     */
    @Test
    void expungesKilledAtRandomMomentsLeaveBeforeOrAfter() throws Exception {
        Random random = new Random(42);
        Path dir = Peers.newDir("kill-random");
        Path box = dir.resolve("mbox");
        Files.writeString(box, mailbox(1500, 200, "r"), StandardCharsets.ISO_8859_1);
        // how long a full rewrite lasts from the journal's appearance to the end of the process: where the kills aim
        Process seen = start(Peers.ours("flag", box.toString(), "1:*", "+\\Seen"), null, dir.resolve("err-seen"));
        assertTrue(awaitJournal(seen, box), "the first rewrite wrote no journal that we saw");
        long t0 = System.nanoTime();
        assertTrue(seen.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, seen.exitValue());
        long windowMillis = Math.max(1, (System.nanoTime() - t0) / 1_000_000);
        int befores = 0;
        int afters = 0;
        int inside = 0;
        int missed = 0;
        for (int round = 0; inside < 6; round++) {
            assertTrue(round < 30, "only " + inside + " of 30 kills landed inside a rewrite (" + missed + " missed it)");
            List<String> before = Peers.pythonIds(box);
            int victim = 1 + random.nextInt(Math.min(50, before.size()));
            assertEquals(0, Peers.run(Peers.ours("flag", box.toString(), String.valueOf(victim), "+\\Deleted"), 120).status());
            List<String> after = new ArrayList<>(before);
            after.remove(victim - 1);
            Path err = dir.resolve("err" + round);
            Process p = start(oursWithFault(null, "expunge", box.toString()), null, err);
            if (awaitJournal(p, box)) {
                Thread.sleep(random.nextInt((int) Math.min(Integer.MAX_VALUE, windowMillis))); // anywhere in the rewrite
            }
            kill9(p);
            boolean writing = Files.exists(journalBeingWritten(box));
            boolean committed = Files.exists(committedJournal(box));
            if (writing || committed) {
                inside++;
            } else {
                missed++;
                windowMillis = Math.max(1, windowMillis / 2); // it was over already: aim earlier
            }
            // Another program appends meanwhile (after breaking the dead lock): it must survive.
            Files.deleteIfExists(dir.resolve("mbox.lock"));
            String extra = FROM + "Message-ID: <extra" + round + "@crash>\nSubject: extra\n\nx\n\n";
            Files.writeString(box, extra, StandardCharsets.ISO_8859_1, StandardOpenOption.APPEND);
            int n = ourCount(box);
            List<String> now = Peers.pythonIds(box);
            List<String> b = new ArrayList<>(before);
            b.add("<extra" + round + "@crash>");
            List<String> a = new ArrayList<>(after);
            a.add("<extra" + round + "@crash>");
            if (now.equals(b)) {
                assertFalse(committed, "round " + round + ": killed after the commit, yet the expunge was not finished");
                befores++;
                // the message is still flagged deleted: leave it for the next round's expunge to take too
                assertEquals(0, Peers.run(Peers.ours("expunge", box.toString()), 120).status());
            } else {
                assertEquals(a, now, "round " + round + ": neither before nor after");
                assertFalse(writing && !committed, "round " + round + ": killed before the commit, yet the expunge happened");
                afters++;
            }
            assertEquals(Peers.pythonIds(box).size(), ourCount(box));
            assertEquals(ourCount(box), Peers.cclientCount(box));
            assertTrue(n >= after.size());
        }
        System.out.println("random kills: " + inside + " inside the rewrite, " + missed + " missed it; " + befores
                + " before, " + afters + " after");
    }

    @Test
    void aFullDiskLeavesTheMailboxByteIdenticalAndExits75() throws Exception {
        Peers.withTmpfs("256k", mnt -> {
            Path box = mnt.resolve("mbox");
            Files.writeString(box, mailbox(3, 5, "full"), StandardCharsets.ISO_8859_1);
            Files.write(mnt.resolve("filler"), new byte[200_000]);
            byte[] before = Files.readAllBytes(box);
            Path big = Files.createTempFile("big", ".eml");
            Files.writeString(big, "Subject: big\n\n" + "x".repeat(100) .concat("\n").repeat(700));
            Peers.Result d = Peers.runWithInput(Peers.ours("deliver", box.toString()), big, 60);
            assertEquals(75, d.status(), d.toString());
            assertTrue(d.err().contains("No space left on device") && d.err().contains("truncated back"), d.err());
            assertEquals(new String(before, StandardCharsets.ISO_8859_1), Files.readString(box, StandardCharsets.ISO_8859_1));
            // and an expunge that needs room for its journal refuses, leaving the mailbox alone
            assertEquals(0, Peers.run(Peers.ours("flag", box.toString(), "1", "+\\Deleted"), 60).status());
            Files.write(mnt.resolve("filler2"), new byte[(int) Math.max(0, Files.getFileStore(box).getUsableSpace() - 100)]);
            byte[] flagged = Files.readAllBytes(box);
            Peers.Result e = Peers.run(Peers.ours("expunge", box.toString()), 60);
            assertEquals(75, e.status(), e.toString());
            assertEquals(new String(flagged, StandardCharsets.ISO_8859_1), Files.readString(box, StandardCharsets.ISO_8859_1));
            Files.delete(big);
        });
    }

    @Test
    void aCopyKilledMidwayIsResumedWithEveryMessageOnce() throws Exception {
        Path dir = Peers.newDir("kill-copy");
        Path src = dir.resolve("mbox");
        Files.writeString(src, mailbox(1300, 3, "c"), StandardCharsets.ISO_8859_1);
        Path dst = dir.resolve("copy.mtx");
        Path err = dir.resolve("err");
        // stopped after its first batch of 500, then killed
        Process p = start(oursWithFault("copy.batch:pause", "copy", "--no-progress", "--format", "mtx", src.toString(),
                dst.toString()), null, err);
        awaitFault(p, err);
        kill9(p);
        Peers.Result again = Peers.run(Peers.ours("copy", "--no-progress", src.toString(), dst.toString()), 120);
        assertEquals(73, again.status(), "without --resume a non-empty target is refused: " + again);
        Peers.Result resumed = Peers.run(Peers.ours("copy", "--no-progress", "--resume", src.toString(), dst.toString()),
                300);
        assertEquals(0, resumed.status(), resumed.toString());
        assertTrue(resumed.out().contains("copied 800 of 1300") && resumed.out().contains("(500 were there already)")
                && resumed.out().contains("verified"), resumed.out());
        assertEquals(1300, ourCount(dst));
        Peers.chown(dst); // written by this (root) test run: c-client reads as the test user
        assertEquals(1300, Peers.cclientCount(dst));
    }
}
