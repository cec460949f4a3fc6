package org.spoollock.store.mbox;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.spoollock.lock.FileSystemInfo;
import org.spoollock.posix.Posix;

/**
 * Every {@link MboxStoreTest} again with the temporary directory judged as NFS: flock skipped, readers
 * keeping the dot-lock, a killed writer's note and journal asked of the server under the lock, journals
 * linked into place instead of renamed (a replayed journal that moves others' bytes still replaces the
 * one it replays: linking it failed, which the torture over NFS caught as every writer stuck).
 */
class MboxStoreOnNfsTest extends MboxStoreTest {
    private long dev;

    @BeforeEach
    void judgeAsNfs() throws Exception {
        dev = Posix.get().stat(dir.toString()).dev();
        FileSystemInfo.judgeDeviceAs(dev, "nfs4");
    }

    @AfterEach
    void judgeAsItIs() {
        FileSystemInfo.judgeDeviceAs(dev, null);
    }
}
