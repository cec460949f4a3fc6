package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Regressions found by the faults harness (spooltest/faults/main), kept here so the test suite
 * catches them without the harness.
 */
class FaultsIT {
    private static final String FROM = "From alice@example.org Wed Dec  2 05:53:22 1992\n";

    /**
     * A disk with no free block but free inodes: the hitching post is created, writing our identity
     * into it fails with ENOSPC. Its name used to stay behind (mbox.lock.TIME.PID.HOST, one per failed
     * delivery, each taking an inode).
     */
    @Test
    void aDotLockThatCannotBeWrittenLeavesNoHitchingPost() throws Exception {
        Peers.withTmpfs("64k", mnt -> {
            Path box = mnt.resolve("mbox");
            Files.writeString(box, FROM + "Subject: 1\n\nhello\n\n", StandardCharsets.ISO_8859_1);
            byte[] before = Files.readAllBytes(box);
            fill(mnt, 0); // every block taken; inodes are left, so the hitching post itself can be created
            Path msg = Files.createTempFile("msg", ".eml");
            Files.writeString(msg, "Subject: 2\n\nx\n");
            Peers.Result d = Peers.runWithInput(Peers.ours("deliver", box.toString()), msg, 60);
            Files.delete(msg);
            assertEquals(75, d.status(), d.toString());
            assertTrue(d.err().contains("No space left on device"), d.err());
            try (Stream<Path> s = Files.list(mnt)) {
                assertEquals(List.of("filler", "mbox"), s.map(p -> p.getFileName().toString()).sorted().toList());
            }
            assertEquals(new String(before, StandardCharsets.ISO_8859_1), Files.readString(box, StandardCharsets.ISO_8859_1));
        });
    }

    /** Takes every free block, then frees {@code leave} bytes. */
    private static void fill(Path mnt, long leave) throws IOException {
        Path filler = mnt.resolve("filler");
        try (OutputStream out = Files.newOutputStream(filler)) {
            byte[] page = new byte[4096];
            while (true) {
                out.write(page);
                out.flush();
            }
        } catch (IOException full) {
            // the disk is full now
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(filler, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(Math.max(0, ch.size() - leave));
        }
    }

    /**
     * The append intent holds a copy of the message, so a message that fits the disk once but not
     * twice used to be refused (exit 75, again at every retry), where c-client delivers it.
     */
    @Test
    void aMessageThatFitsIsDeliveredEvenWhenItsAppendIntentTakesTheRoom() throws Exception {
        Peers.withTmpfs("512k", mnt -> {
            Path box = mnt.resolve("mbox");
            Files.writeString(box, FROM + "Subject: 1\n\nhello\n\n", StandardCharsets.ISO_8859_1);
            fill(mnt, 100 * 1024);
            Path msg = Files.createTempFile("msg", ".eml");
            Files.writeString(msg, "Subject: fits\n\n" + ("x".repeat(99) + "\n").repeat(600)); // 60 KB: once, not twice
            Peers.Result d = Peers.runWithInput(Peers.ours("deliver", box.toString()), msg, 60);
            Files.delete(msg);
            assertEquals(0, d.status(), d.toString());
            Peers.Result n = Peers.run(Peers.ours("count", box.toString()), 60);
            assertEquals("2", n.out().trim(), n.toString());
            assertTrue(Files.notExists(mnt.resolve(".mbox.spoollock-append")));
        });
    }

    /**
     * A read-only mount: c-client reads the mailbox (warning "Mailbox vulnerable"); we refused with
     * exit 77 and advice to make the directory 1777. Readers now go on without the dot-lock (nothing can
     * write there); writers get a message that says read-only file system.
     */
    @Test
    void aReadOnlyMountCanBeReadAndWritersAreToldWhyTheyCannotWrite() throws Exception {
        Peers.withTmpfs("256k", mnt -> {
            Path box = mnt.resolve("mbox");
            Files.writeString(box, FROM + "Subject: 1\n\nhello\n\n", StandardCharsets.ISO_8859_1);
            assertEquals(0, Peers.run(List.of("mount", "-o", "remount,ro", mnt.toString()), 30).status());
            Peers.Result n = Peers.run(Peers.ours("count", box.toString()), 60);
            assertEquals(0, n.status(), n.toString());
            assertEquals("1", n.out().trim(), n.toString());
            Path msg = Files.createTempFile("msg", ".eml");
            Files.writeString(msg, "Subject: 2\n\nx\n");
            Peers.Result d = Peers.runWithInput(Peers.ours("deliver", box.toString()), msg, 60);
            Files.delete(msg);
            assertEquals(77, d.status(), d.toString());
            assertTrue(d.err().contains("read-only file system (EROFS)") && !d.err().contains("1777"), d.err());
        });
    }

    /**
     * The spool directory made unwritable while we wait: our hitching post cannot be removed. That
     * warning used to print a stack trace (an MDA's stderr, without --debug); it is one line naming
     * the file now, and the delivery still ends with the timeout naming the holder.
     */
    @Test
    void aHitchingPostThatCannotBeRemovedIsReportedInOneLine() throws Exception {
        Assumptions.assumeTrue(Peers.ROOT, "needs root to run as the test user and to chmod its directory");
        Path dir = Peers.newDir("unwritable-wait");
        Path box = dir.resolve("mbox");
        Files.writeString(box, FROM + "Subject: 1\n\nhello\n\n", StandardCharsets.ISO_8859_1);
        Path lock = Files.createFile(dir.resolve("mbox.lock")); // a c-client lock: empty, so never taken for dead
        Peers.chown(lock);
        Path msg = Files.createTempFile(Peers.IT_ROOT, "msg", ".eml");
        Files.writeString(msg, "Subject: 2\n\nx\n");
        Peers.chown(msg);
        Path err = dir.resolveSibling(dir.getFileName() + ".err");
        Process p = new ProcessBuilder(Peers.asUser(Peers.ours("deliver", "--timeout", "6", box.toString())))
                .redirectInput(msg.toFile()).redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try (Stream<Path> s = Files.list(dir)) {
                    if (s.anyMatch(f -> f.getFileName().toString().startsWith("mbox.lock."))) {
                        break; // waiting, its hitching post in place
                    }
                }
                assertTrue(p.isAlive() && System.nanoTime() < deadline, "never waited: " + Files.readString(err));
                Thread.sleep(20);
            }
            Peers.run(List.of("chmod", "0555", dir.toString()), 10);
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            String e = Files.readString(err);
            assertEquals(75, p.exitValue(), e);
            assertTrue(e.contains("could not remove hitching post " + dir.resolve("mbox.lock.")) && e.contains("EACCES"), e);
            assertTrue(!e.contains("\tat "), "no stack trace without --debug: " + e);
        } finally {
            p.destroyForcibly();
            Peers.run(List.of("chmod", "0775", dir.toString()), 10);
            Files.deleteIfExists(msg);
        }
    }
}
