package org.spoollock.store.mbox;

import org.spoollock.store.MailboxChangedException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.lock.LockMethod;
import org.spoollock.lock.MailboxLock;
import org.spoollock.lock.MailboxLockOptions;

/**
 * A deliverer that lost its dot-lock before writing (stopped longer than the stale period; another
 * writer broke the lock and appended) must not write: found by spooltest/torture, where a SIGSTOPped
 * `spoollock deliver --methods dotlock` resumed after a break, wrote its message over the one appended
 * meanwhile (acknowledged, exit 0) and itself exited 0.
 */
class MboxAppenderLostLockTest {
    @TempDir
    Path dir;

    @Test
    void aDeliveryWhoseDotLockWasBrokenWritesNothing() throws Exception {
        Path box = dir.resolve("mbox");
        String seed = "From a@b Tue Dec  1 23:00:00 2026\nSubject: seed\n\nseed\n\n";
        Files.writeString(box, seed);
        MailboxLockOptions dotOnly = MailboxLockOptions.defaults().withMethods(EnumSet.of(LockMethod.DOTLOCK));
        MailboxLock lock = MailboxLock.acquire(box, MailboxLock.Mode.EXCLUSIVE, Duration.ofSeconds(5), dotOnly);
        try {
            // what a breaker does while we are stopped: remove the lock, take it, append, release
            Files.delete(dir.resolve("mbox.lock"));
            String other = "From c@d Tue Dec  1 23:00:01 2026\nSubject: other\n\nacknowledged by another deliverer\n\n";
            Files.writeString(box, other, StandardOpenOption.APPEND);
            byte[] ours = "From e@f Tue Dec  1 23:00:02 2026\nSubject: ours\n\nours\n\n".getBytes(StandardCharsets.US_ASCII);
            MailboxChangedException e = assertThrows(MailboxChangedException.class,
                    () -> MboxAppender.appendLocked(box, lock, List.of(ours)));
            assertTrue(e.getMessage().contains("nothing written"), e.getMessage());
            assertEquals(seed + other, Files.readString(box), "the other deliverer's message is intact, ours absent");
        } finally {
            lock.release();
        }
    }
}
