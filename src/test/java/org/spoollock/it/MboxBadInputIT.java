package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Bad input to the read commands (count, list, check) as the unprivileged user: a clear one-line
 * error naming the file (and the offset where there is one) or a documented tolerant reading, never
 * a stack trace, a hang (every run has a time limit) or a changed byte.
 */
class MboxBadInputIT {
    private static final String FROM = "From alice@example.org Wed Dec  2 05:53:22 1992\n";

    private record Outcome(int count, int list, int check, String err) {
    }

    private static Outcome readAll(Path f) throws Exception {
        byte[] before = Files.readAllBytes(f);
        Peers.Result c = Peers.run(Peers.asUser(Peers.ours("count", f.toString())), 60);
        Peers.Result l = Peers.run(Peers.asUser(Peers.ours("list", f.toString())), 60);
        Peers.Result k = Peers.run(Peers.asUser(Peers.ours("check", f.toString())), 60);
        assertArrayEquals(before, Files.readAllBytes(f), "a read changed " + f);
        for (Peers.Result r : List.of(c, l, k)) {
            assertTrue(!r.err().contains("\tat ") && !r.err().contains("Exception in"), "no stack trace: " + r);
        }
        return new Outcome(c.status(), l.status(), k.status(), c.err() + l.err() + k.out() + k.err());
    }

    private static Path write(Path dir, String name, byte[] content) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, content);
        Peers.chown(f);
        return f;
    }

    @Test
    void notAnMboxIsRefusedWithOffsetAndLine() throws Exception {
        Path dir = Peers.newDir("bad");
        Path f = write(dir, "text", "\n\nDear diary,\nFrom today on\n".getBytes(StandardCharsets.ISO_8859_1));
        Outcome o = readAll(f);
        assertEquals(65, o.count());
        assertEquals(65, o.list());
        assertEquals(65, o.check());
        assertTrue(o.err().contains(f.toString()) && o.err().contains("offset 2") && o.err().contains("Dear diary"), o.err());
    }

    @Test
    void binaryJunkIsNotAnMbox() throws Exception {
        Path dir = Peers.newDir("bad");
        byte[] junk = new byte[3 << 20];
        new java.util.Random(7).nextBytes(junk);
        junk[0] = 'x';
        Outcome o = readAll(write(dir, "junk", junk));
        assertEquals(65, o.count(), o.err());
        assertEquals(65, o.check(), o.err());
    }

    @Test
    void damageIsReadTolerantlyAndReportedByCheck() throws Exception {
        Path dir = Peers.newDir("bad");
        String truncated = FROM + "Subject: a\n\nbody\n\n" + FROM + "Subject: b\n\nthe end is miss";
        Outcome t = readAll(write(dir, "truncated", truncated.getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(0, t.count());
        assertEquals(65, t.check());
        assertTrue(t.err().contains("does not end with a newline"), t.err());

        String nul = FROM + "Subject: a\n\nbo\0dy\n\n" + FROM + "Subject: b\n\nx\n";
        Outcome n = readAll(write(dir, "nul", nul.getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(0, n.list());
        assertEquals(65, n.check());
        assertTrue(n.err().contains("NUL") && n.err().contains("offset " + (FROM.length() + 14)), n.err());

        String crlf = (FROM + "Subject: a\n\nbody\n\n" + FROM + "Subject: b\n\nx\n").replace("\n", "\r\n");
        Outcome c = readAll(write(dir, "crlf", crlf.getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(0, c.check(), "CRLF is legal: a note, not a problem: " + c.err());
        assertTrue(c.err().contains("CRLF"), c.err());

        String huge = FROM + "Subject: a\nX-Huge: " + "h".repeat(5 << 20) + "\n\nbody\n\n" + FROM + "Subject: b\n\nx\n";
        Outcome h = readAll(write(dir, "huge", huge.getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(0, h.list());
        assertEquals(0, h.check(), h.err());

        String bogus = FROM + "X-IMAPbase: 100 5\nSubject: a\nX-UID: 4\nstatus: RO\n\nx\n\n" + FROM + "Subject: b\nX-UID: 3\n\ny\n";
        Outcome b = readAll(write(dir, "bogus", bogus.getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(0, b.list());
        assertEquals(65, b.check());
        assertTrue(b.err().contains("Discarding bogus status header") && b.err().contains("UID 3 less than 5"), b.err());
    }

    @Test
    void directoriesFifosAndUnreadableFilesAreRefusedWithoutHanging() throws Exception {
        Path dir = Peers.newDir("bad");
        Path sub = dir.resolve("a-directory");
        Files.createDirectory(sub);
        Peers.chown(sub);
        Peers.Result d = Peers.run(Peers.asUser(Peers.ours("count", sub.toString())), 60);
        assertEquals(77, d.status(), d.toString());
        assertTrue(d.err().contains(sub.toString()) && d.err().contains("directory"), d.err());

        Path fifo = dir.resolve("a-fifo");
        assertEquals(0, Peers.run(List.of("mkfifo", fifo.toString()), 10).status());
        Peers.chown(fifo);
        Peers.Result p = Peers.run(Peers.asUser(Peers.ours("list", fifo.toString())), 60);
        assertEquals(77, p.status(), p.toString());
        assertTrue(p.err().contains(fifo.toString()) && p.err().contains("fifo"), p.err());
        Peers.Result pd = Peers.runWithInput(Peers.asUser(Peers.ours("deliver", fifo.toString())),
                write(dir, "msg", "Subject: x\n\ny\n".getBytes(StandardCharsets.ISO_8859_1)), 60);
        assertEquals(77, pd.status(), pd.toString());

        Path secret = write(dir, "secret", (FROM + "Subject: a\n\nx\n").getBytes(StandardCharsets.ISO_8859_1));
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        if (Peers.ROOT) {
            Peers.Result s = Peers.run(Peers.asUser(Peers.ours("list", secret.toString())), 60);
            assertEquals(77, s.status(), s.toString());
            assertTrue(s.err().contains(secret.toString()) && s.err().contains("ermission"), s.err());
        }
    }

    @Test
    void deliveryRefusesBadMessagesAndBadSenders() throws Exception {
        Path dir = Peers.newDir("bad");
        Path box = dir.resolve("mbox");
        Path empty = write(dir, "empty", new byte[0]);
        Peers.Result e = Peers.runWithInput(Peers.asUser(Peers.ours("deliver", box.toString())), empty, 60);
        assertEquals(65, e.status(), e.toString());
        assertTrue(e.err().contains("empty"), e.err());
        Path msg = write(dir, "msg", "Subject: x\n\ny\n".getBytes(StandardCharsets.ISO_8859_1));
        Peers.Result s = Peers.runWithInput(Peers.asUser(Peers.ours("deliver", "-f", "bad sender", box.toString())), msg, 60);
        assertEquals(65, s.status(), s.toString());
        Peers.Result big = Peers.runWithInput(Peers.asUser(Peers.ours("deliver", "--max-size", "5", box.toString())), msg, 60);
        assertEquals(65, big.status(), big.toString());
        assertEquals(0, Files.size(box), "nothing written by refused deliveries");
        Path missing = dir.resolve("no-such-mailbox");
        Peers.Result m = Peers.runWithInput(Peers.asUser(Peers.ours("deliver", "--no-create", missing.toString())), msg, 60);
        assertEquals(66, m.status(), m.toString());
        Path noDir = Path.of("/nonexistent-spool/mbox");
        Peers.Result c = Peers.runWithInput(Peers.asUser(Peers.ours("deliver", noDir.toString())), msg, 60);
        assertEquals(73, c.status(), c.toString());
        assertTrue(c.err().contains("/nonexistent-spool"), c.err());
    }
}
