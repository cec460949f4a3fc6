package org.spoollock.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.spoollock.lock.LockMethod;
import org.spoollock.lock.LockProfile;
import org.spoollock.lock.MailboxLock;
import org.spoollock.lock.MailboxLockOptions;

/**
 * A peer that locks in Debian Policy's order, the POSIX lock first and then the dot-lock (Debian's
 * Dovecot: mbox_write_locks = fcntl dotlock), against our dovecot profile, which takes the dot-lock
 * first. Here the peer is Python's fcntl.lockf followed by liblockfile's dotlockfile (which waits for
 * the dot-lock). If we waited for the POSIX lock while holding the dot-lock, each side would wait for
 * the other's first lock until a timeout (with a real Dovecot: 5 minutes, its APPEND then fails).
 */
class PosixFirstPeerIT {
    private static final String PEER = String.join("\n",
            "import fcntl, subprocess, sys",
            "f = open(sys.argv[1], 'rb+')",
            "fcntl.lockf(f, fcntl.LOCK_EX)",
            "print('locked', flush=True)",
            "sys.stdin.readline()",
            // up to 8 tries, 1 s apart: plenty if the dot-lock is free now and then, hopeless if it is held throughout
            "r = subprocess.call(['dotlockfile', '-p', '-r', '8', '-i', '1', '-l', sys.argv[1] + '.lock'])",
            "print('dotlock', r, flush=True)",
            "if r == 0: subprocess.call(['dotlockfile', '-u', sys.argv[1] + '.lock'])",
            "sys.exit(r)");

    @Test
    void weDoNotHoldTheDotLockWhileWaitingForThePosixLock() throws Exception {
        Path dir = Peers.newDir("posix-first");
        Path mbox = dir.resolve("mbox");
        Path script = dir.resolve("peer.py");
        Files.writeString(script, PEER, StandardCharsets.US_ASCII);
        Peers.chown(script);
        MailboxLockOptions dovecot = MailboxLockOptions.defaults().withProfile(LockProfile.DOVECOT);
        try (Peers.Holder peer = new Peers.Holder(Peers.asUser("python3", script.toString(), mbox.toString()))) {
            CompletableFuture<EnumSet<LockMethod>> ours = CompletableFuture.supplyAsync(() -> {
                try (MailboxLock l = MailboxLock.acquire(mbox, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(60), dovecot)) {
                    return EnumSet.copyOf(l.heldMethods());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // we are now waiting for the peer's POSIX lock (and, before the fix, sat on the dot-lock meanwhile)
            Thread.sleep(1500);
            assertTrue(!ours.isDone(), "we got the mailbox while the peer held its POSIX lock");
            OutputStream in = peer.process.getOutputStream();
            in.write('\n');
            in.flush();
            assertTrue(peer.awaitOutput("dotlock", 30), "the peer never finished trying for the dot-lock");
            assertTrue(peer.awaitOutput("dotlock 0", 1), "the peer could not take the dot-lock while we waited for its"
                    + " POSIX lock (lock-order deadlock): " + peer.stderr());
            assertTrue(peer.process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, peer.process.exitValue(), peer.stderr());
            assertEquals(EnumSet.of(LockMethod.DOTLOCK, LockMethod.OFD), ours.get(30, TimeUnit.SECONDS));
        }
    }
}
