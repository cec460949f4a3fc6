package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The CLI as users meet it: exit codes, one-line errors, JSON, run as the unprivileged user. */
class CliIT {

    @Test
    void versionAndUsageErrors() {
        Peers.Result v = Peers.run(Peers.ours("--version"), 60);
        assertEquals(0, v.status(), v.toString());
        assertTrue(v.out().startsWith("spoollock 0."), v.out());
        Peers.Result bad = Peers.run(Peers.ours("lock", "--bogus"), 60);
        assertEquals(64, bad.status(), bad.toString());
        assertEquals(2, bad.err().lines().count(), "usage errors are one line plus a hint: " + bad.err());
        assertTrue(bad.err().contains("--help"));
        Peers.Result none = Peers.run(Peers.ours(), 60);
        assertEquals(64, none.status(), none.toString());
        Peers.Result stale = Peers.run(Peers.ours("locks", "--stale-after", "0", "/tmp/x"), 60);
        assertEquals(64, stale.status(), stale.toString());
    }

    @Test
    void lockPassesTheCommandsStatusThroughAndCleansUp() throws Exception {
        Path dir = Peers.newDir("cli-status");
        Path mbox = dir.resolve("mbox");
        Peers.Result r = Peers.run(Peers.asUser(Peers.ours("lock", mbox.toString(), "--", "sh", "-c",
                "test -f \"$0.lock\" && exit 3", mbox.toString())), 60);
        assertEquals(3, r.status(), "the command did not see the lock or its status was lost: " + r);
        assertFalse(Files.exists(Path.of(mbox + ".lock")));
        Peers.Result missing = Peers.run(Peers.asUser(Peers.ours("lock", mbox.toString(), "--", "/no/such/program")), 60);
        assertTrue(missing.err().contains("cannot run /no/such/program"), missing.toString());
        assertFalse(Files.exists(Path.of(mbox + ".lock")), "lock left behind after a failed start");
    }

    @Test
    void anUnwritableSpoolDirectoryIsOneClearLine() throws Exception {
        Path dir = Files.createTempDirectory(Peers.IT_ROOT, "readonly-spool-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // root's, not the user's
        Path mbox = dir.resolve("mbox");
        Peers.Result r = Peers.run(Peers.asUser(Peers.ours("lock", mbox.toString(), "--", "true")), 60);
        assertEquals(77, r.status(), r.toString());
        assertEquals(1, r.err().lines().count(), "one line, no stack trace: " + r.err());
        assertTrue(r.err().contains("directory " + dir) && r.err().contains("not writable"), r.err());
        Peers.Result debug = Peers.run(Peers.asUser(Peers.ours("lock", "--debug", mbox.toString(), "--", "true")), 60);
        assertTrue(debug.err().contains("\tat org.spoollock"), "--debug shows the stack trace: " + debug.err());
    }

    @Test
    void anUnwritableSpoolCanBeLockedThroughSetgidDotlockfile() throws Exception {
        // Debian's /var/mail: 2775 root:mail, and the user is not in group mail. setgid dotlockfile
        // only locks the user's own mailbox there, so this test uses the real spool.
        Path mbox = Path.of("/var/mail", Peers.USER);
        Path lock = Path.of(mbox + ".lock");
        Files.deleteIfExists(lock);
        Files.write(mbox, new byte[0]);
        Peers.run(List.of("chown", Peers.USER + ":mail", mbox.toString()), 10);
        try {
            Peers.Result plain = Peers.run(Peers.asUser(Peers.ours("lock", mbox.toString(), "--", "true")), 60);
            assertEquals(77, plain.status(), plain.toString());
            assertTrue(plain.err().contains("--helper"), "the error should point at the helper: " + plain.err());

            Peers.Result r = Peers.run(Peers.asUser(Peers.ours("lock", "--helper", "/usr/bin/dotlockfile", mbox.toString(),
                    "--", "sh", "-c", "cat \"$0\"", lock.toString())), 60);
            assertEquals(0, r.status(), r.toString());
            assertTrue(r.out().trim().matches("[0-9]+"), "dotlockfile -p writes our PID: " + r.out());
            assertFalse(Files.exists(lock), "the helper did not remove the lock");

            // A dotlockfile holder excludes us, and we exclude dotlockfile.
            try (Peers.Holder h = new Peers.Holder(Peer.LIBLOCKFILE.hold(mbox))) {
                Peers.Result t = Peers.run(Peers.asUser(Peers.ours("lock", "--timeout", "1", "--helper",
                        "/usr/bin/dotlockfile", mbox.toString(), "--", "true")), 60);
                assertEquals(75, t.status(), t.toString());
            }
            try (Peers.Holder ours = new Peers.Holder(Peers.asUser(Peers.ours("lock", "--helper", "/usr/bin/dotlockfile",
                    mbox.toString(), "--", "sh", "-c", "echo locked; cat >/dev/null")))) {
                Peers.Result t = Peers.run(Peer.LIBLOCKFILE.tryOnce(mbox), 60);
                assertTrue(t.status() != 0, "dotlockfile took the lock we held through it: " + t);
                assertEquals(0, ours.release());
            }
            assertFalse(Files.exists(lock));
        } finally {
            Files.deleteIfExists(lock);
            Files.deleteIfExists(mbox);
        }
    }

    @Test
    void aSymlinkAtTheLockNameIsRefusedWithExit77() throws Exception {
        Path dir = Peers.newDir("cli-symlink");
        Path mbox = dir.resolve("mbox");
        Files.createSymbolicLink(Path.of(mbox + ".lock"), Path.of("/etc/passwd"));
        Peers.Result r = Peers.run(Peers.asUser(Peers.ours("lock", mbox.toString(), "--", "true")), 60);
        assertEquals(77, r.status(), r.toString());
        assertTrue(r.err().contains("symbolic link"), r.err());
        Peers.Result locks = Peers.run(Peers.asUser(Peers.ours("locks", mbox.toString())), 60);
        assertEquals(77, locks.status(), locks.toString());
    }

    @Test
    void locksNamesTheHolderInTextAndJson() throws Exception {
        Path dir = Peers.newDir("cli-locks");
        Path mbox = dir.resolve("mbox");
        Peers.Result free = Peers.run(Peers.ours("locks", mbox.toString()), 60);
        assertEquals(List.of("dot-lock " + mbox + ".lock: free", "mailbox  " + mbox + ": no flock or POSIX locks",
                "session  " + Peers.sessionLockName(mbox) + ": no session",
                "filesystem " + Peers.mountType(dir) + ": effective [dotlock, flock]"), free.out().lines().toList());
        try (Peers.Holder h = new Peers.Holder(Peers.asUser(Peers.ours("lock", mbox.toString(), "--", "sh", "-c",
                "echo locked; cat >/dev/null")))) {
            long javaPid = h.process.descendants().filter(p -> p.info().command().orElse("").endsWith("java"))
                    .findFirst().orElseThrow().pid();
            Peers.Result text = Peers.run(Peers.ours("locks", mbox.toString()), 60);
            assertTrue(text.out().contains("held by pid " + javaPid + " on "), text.out());
            assertTrue(text.out().contains("holder running") && text.out().contains("not stale"), text.out());
            Peers.Result json = Peers.run(Peers.ours("locks", "--json", mbox.toString()), 60);
            String j = json.out().trim();
            assertTrue(j.startsWith("{\"mailbox\":\"" + mbox + "\",\"dotlock\":{"), j);
            assertTrue(j.contains("\"pid\":" + javaPid + ",") && j.contains("\"holderAlive\":true")
                    && j.contains("\"stale\":false") && j.contains("\"ageClock\":\"server\""), j);
        }
        // c-client's empty lock, killed: no holder to name, stale after the period.
        Peers.Holder c = new Peers.Holder(Peer.C_CLIENT.hold(mbox));
        c.kill9();
        Thread.sleep(1200);
        Peers.Result json = Peers.run(Peers.ours("locks", "--json", "--stale-after", "1", mbox.toString()), 60);
        assertTrue(json.out().contains("\"format\":\"empty\"") && json.out().contains("\"pid\":null")
                && json.out().contains("\"stale\":true") && json.out().contains("\"holderAlive\":null"), json.out());
        Peers.Result text = Peers.run(Peers.ours("locks", "--stale-after", "1", mbox.toString()), 60);
        assertTrue(text.out().contains("empty lock file") && text.out().contains("STALE"), text.out());
    }

    @Test
    void demoRuns() {
        Peers.Result r = Peers.run(Peers.asUser(Peers.ours("demo", "--writers", "3", "--messages", "3")), 120);
        // the demo keeps its scratch directory for the user to look at; a test run must not pile them up
        java.util.regex.Matcher in = java.util.regex.Pattern.compile("spoollock demo, in (\\S+)").matcher(r.out());
        assertTrue(in.find(), r.out());
        Peers.run(List.of("rm", "-rf", "--", in.group(1)), 30);
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("All good"), r.out());
        assertTrue(r.out().contains("c-client's mailutil, 3 messages each") && r.out().contains("15 of 15 messages present"),
                "as the test user, c-client's mailutil delivers too: " + r.out());
        assertTrue(r.out().contains("each exactly once") && r.out().contains("message 1 is \\Seen"), r.out());
        assertTrue(r.out().contains("holder: request received") && r.out().contains("holder: gave up"),
                "the kiss of death was asked for and honoured: " + r.out());
    }
}
