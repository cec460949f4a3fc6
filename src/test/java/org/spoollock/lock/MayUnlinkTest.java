package org.spoollock.lock;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.spoollock.posix.Stat;

/**
 * A dead holder's lock is taken over in place only if we could remove it at release: in a sticky
 * directory (c-client's 1777 spool) a lock file of another user cannot be unlinked by us.
 */
class MayUnlinkTest {
    private static Stat owned(int uid, int mode) {
        return new Stat(1, 2, 1, mode, uid, 0, 0, 0, 0, 0);
    }

    @Test
    void theStickyBitDecidesForAnotherUsersFile() {
        Stat othersLock = owned(1001, 0100666);
        assertFalse(DotLockAcquirer.mayUnlink(1000, othersLock, owned(0, 041777)), "sticky spool, another's lock");
        assertTrue(DotLockAcquirer.mayUnlink(1000, othersLock, owned(0, 042775)), "setgid, not sticky (Debian's 2775)");
        assertTrue(DotLockAcquirer.mayUnlink(1000, owned(1000, 0100666), owned(0, 041777)), "our own file");
        assertTrue(DotLockAcquirer.mayUnlink(1000, othersLock, owned(1000, 041777)), "our directory");
        assertTrue(DotLockAcquirer.mayUnlink(0, othersLock, owned(0, 041777)), "root");
    }
}
