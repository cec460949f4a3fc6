package org.spoollock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mailbox commands through the store interface, in process: options a format cannot honour are
 * said so (they used to be ignored without a word for tenex/mtx), and each format's refusals get the
 * documented exit codes.
 */
class CliFormatsTest {
    @TempDir
    Path dir;

    /** Exit status, standard output and standard error of one CLI run. */
    private record Run(int status, String out, String err) {
    }

    private Run run(String stdin, String... args) {
        CliRun r = CliRun.of(stdin, args);
        return new Run(r.status(), r.out(), r.err());
    }

    private String[] args(String... a) {
        String[] out = new String[a.length + 2];
        out[0] = a[0];
        out[1] = "--session-dir=" + dir;
        out[2] = "--keywords=work,later";
        System.arraycopy(a, 1, out, 3, a.length - 1);
        return out;
    }

    @Test
    void deliverSaysWhatATenexMailboxCannotKeep() throws Exception {
        for (String format : new String[] {"tenex", "mtx"}) {
            Path box = dir.resolve("box." + format);
            Run r = run("Subject: x\n\nbody\n", args("deliver", "--create", "-f", "alice@example.org", "--mboxrd",
                    format + ":" + box));
            assertEquals(0, r.status(), r.toString());
            assertTrue(r.err().contains("-f alice@example.org not kept: " + format), r.err());
            assertTrue(r.err().contains("--mboxrd has no effect: " + format), r.err());
            Run c = run("", args("count", box.toString()));
            assertEquals("1", c.out().strip(), c.toString());
        }
        Path mbox = dir.resolve("mbox");
        Run r = run("Subject: x\n\nbody\n", args("deliver", "--create", "-f", "alice@example.org", mbox.toString()));
        assertEquals(0, r.status(), r.toString());
        assertEquals("", r.err(), "nothing to say for mbox, which keeps the sender");
        assertTrue(Files.readString(mbox).startsWith("From alice@example.org "));
    }

    @Test
    void openSaysTenexHasNoKissOfDeath() {
        Path box = dir.resolve("box.tenex");
        assertEquals(0, run("Subject: x\n\nbody\n", args("deliver", "--create", "tenex:" + box)).status());
        Run r = run("", "open", "--session-dir=" + dir, "--hold", "0", "--on-kiss", "idle:5", "--silent", box.toString());
        assertEquals(0, r.status(), r.toString());
        assertEquals("read-write", r.out().strip());
        assertTrue(r.err().contains("--on-kiss has no effect: tenex"), r.err());
        assertTrue(r.err().contains("--silent has no effect: tenex"), r.err());
    }

    @Test
    void keywordsAreCheckedOnceWithTheDocumentedExitCodes() {
        Path box = dir.resolve("box.tenex");
        assertEquals(0, run("Subject: x\n\nbody\n", args("deliver", "--create", "tenex:" + box)).status());
        // a keyword that is not an IMAP atom: a usage error, whatever the format
        Run bad = run("", args("flag", box.toString(), "1", "+a\"b"));
        assertEquals(ExitCodes.USAGE, bad.status(), bad.toString());
        assertTrue(bad.err().contains("is not a valid keyword"), bad.err());
        // a valid keyword tenex cannot keep (not configured): bad data for this mailbox, nothing written
        Run unknown = run("", args("flag", box.toString(), "1", "+unconfigured"));
        assertEquals(ExitCodes.DATAERR, unknown.status(), unknown.toString());
        assertTrue(unknown.err().contains("\"unconfigured\" cannot be kept by tenex"), unknown.err());
        Run ok = run("", args("flag", box.toString(), "1", "+work"));
        assertEquals(0, ok.status(), ok.toString());
        Run list = run("", args("list", "--long", box.toString()));
        assertTrue(list.out().startsWith("1 1 ----- "), list.out());
        assertTrue(list.out().contains(" work "), list.out());
    }
}
