package org.spoollock.lock;

import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

/** What the dot-lock tests share: a fresh directory with the mailbox {@code mbox} and its lock name. */
abstract class DotLockFixture {
    static final DotLockOptions OPTS = DotLockOptions.defaults();

    @TempDir
    Path dir;

    Path mbox() {
        return dir.resolve("mbox");
    }

    Path lockFile() {
        return dir.resolve("mbox.lock");
    }
}
