package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The fallback for kernels without OFD locks, forced with -Dspoollock.classicRecordLocks=true in a
 * JVM of its own: classic fcntl locks still exclude lockf peers, show up as POSIX locks of our PID,
 * and threads of that JVM never share one (ClassicThreads checks that in-process).
 */
class ClassicFcntlIT {
    private static List<String> classicJvm(String mainClass, String... args) {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Peers.JAVA, "--enable-native-access=ALL-UNNAMED",
                "-Dspoollock.classicRecordLocks=true", "-cp", cp, mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void classicLocksExcludeLockfPeersAndThreadsNeverShareThem() throws Exception {
        Path mbox = Peers.newDir("classic").resolve("mbox");
        try (Peers.Holder h = new Peers.Holder(classicJvm("org.spoollock.cli.Main", "lock", "--profile", "dovecot",
                mbox.toString(), "--", "sh", "-c", "echo locked; cat /proc/locks; cat >/dev/null"))) {
            Peers.Result lockf = Peers.run(Peers.asUser("python3", Peers.pylock(), "lockf-try", mbox.toString()), 30);
            assertEquals(1, lockf.status(), "lockf got in past a classic fcntl lock: " + lockf);
            Peers.Result locks = Peers.run(Peers.ours("locks", "--profile", "dovecot", mbox.toString()), 60);
            assertTrue(locks.out().contains("posix exclusive by pid"), "a classic lock is a POSIX lock of a pid: " + locks.out());
            assertTrue(h.stderr().contains("classic fcntl record locks"), "the fallback must say so: " + h.stderr());
        }
        Peers.Result threads = Peers.run(classicJvm(ClassicThreads.class.getName(), mbox.toString()), 120);
        assertEquals(0, threads.status(), threads.toString());
        assertTrue(threads.out().contains("overlaps=0"), threads.toString());
    }
}
