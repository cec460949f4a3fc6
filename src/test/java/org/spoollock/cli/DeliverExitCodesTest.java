package org.spoollock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.lock.MailboxLock;
import org.spoollock.lock.MailboxLockOptions;

/**
 * Issue 20 part 4: `deliver` as a delivery agent, one test per exit code an MTA acts on (sysexits.h):
 * it creates a missing mailbox by default, as procmail, tmail, dovecot-lda and Postfix's local do.
 */
class DeliverExitCodesTest {
    @TempDir
    Path dir;

    private static final String MESSAGE = "Subject: hello\n\nbody\n";

    private CliRun deliver(String stdin, String... args) {
        String[] a = new String[args.length + 2];
        a[0] = "deliver";
        a[1] = "--session-dir=" + dir;
        System.arraycopy(args, 0, a, 2, args.length);
        return CliRun.of(stdin, a);
    }

    @Test
    void aMissingMailboxIsCreatedByDefault() throws Exception {
        Path box = dir.resolve("newuser");
        CliRun r = deliver(MESSAGE, box.toString());
        assertEquals(ExitCodes.OK, r.status(), r.err());
        assertTrue(Files.readString(box).contains("Subject: hello"));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(box)));
    }

    @Test
    void noCreateKeepsAMissingMailboxMissing() {
        Path box = dir.resolve("nobody");
        CliRun r = deliver(MESSAGE, "--no-create", box.toString());
        assertEquals(ExitCodes.NOINPUT, r.status(), r.err());
        assertFalse(Files.exists(box));
    }

    @Test
    void aMailboxWhoseDirectoryDoesNotExistIsCantCreat() {
        Path box = dir.resolve("no-such-dir/box");
        for (String[] args : new String[][] {{box.toString()}, {"--no-create", box.toString()}}) {
            CliRun r = deliver(MESSAGE, args);
            assertEquals(ExitCodes.CANTCREAT, r.status(), r.err());
            assertTrue(r.err().contains("no-such-dir") && r.err().contains("does not exist"), r.err());
        }
    }

    @Test
    void badInputIsDataErr() throws Exception {
        Path box = dir.resolve("box");
        assertEquals(ExitCodes.DATAERR, deliver("", box.toString()).status(), "empty");
        assertEquals(ExitCodes.DATAERR, deliver(MESSAGE + "x".repeat(200), "--max-size", "100", box.toString()).status(), "too large");
        Files.writeString(dir.resolve("not-mbox"), "this is not a mailbox\n");
        assertEquals(ExitCodes.DATAERR, deliver(MESSAGE, dir.resolve("not-mbox").toString()).status(), "not an mbox");
        assertFalse(Files.exists(box), "nothing created for refused messages");
    }

    @Test
    void aSymbolicLinkIsNoPerm() throws Exception {
        Path target = dir.resolve("target");
        Files.writeString(target, "");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        CliRun r = deliver(MESSAGE, link.toString());
        assertEquals(ExitCodes.NOPERM, r.status(), r.err());
        assertEquals("", Files.readString(target));
    }

    @Test
    void aLockNotHadInTimeIsTempFail() throws Exception {
        Path box = dir.resolve("busy");
        Files.writeString(box, "");
        try (MailboxLock held = MailboxLock.acquire(box, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(5),
                MailboxLockOptions.defaults())) {
            CliRun r = deliver(MESSAGE, "--timeout", "1", box.toString());
            assertEquals(ExitCodes.TEMPFAIL, r.status(), r.err());
        }
        assertEquals("", Files.readString(box));
    }

    @Test
    void aBadOptionIsUsage() {
        assertEquals(ExitCodes.USAGE, deliver(MESSAGE, "--no-such-option", dir.resolve("x").toString()).status());
    }
}
