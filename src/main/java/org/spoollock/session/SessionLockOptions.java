package org.spoollock.session;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a read-write session is opened.
 *
 * @param directory where session locks live: c-client's {@code /tmp} (configurable for tests)
 * @param policy    what to do when another process asks for the mailbox
 * @param silent    write no PID, as c-client's silent streams: nobody can ask us, and c-client opens read-only at once
 * @param askFor    how long to keep trying after asking the holder (c-client: 15 tries a second apart)
 * @param listener  told about requests and what we did; may be null
 */
public record SessionLockOptions(Path directory, KissPolicy policy, boolean silent, Duration askFor,
                                 SessionListener listener) {
    public static final Path C_CLIENT_DIRECTORY = Path.of("/tmp");

    public SessionLockOptions {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(askFor, "askFor");
    }

    public static SessionLockOptions defaults() {
        return new SessionLockOptions(C_CLIENT_DIRECTORY, KissPolicy.yieldNow(), false, Duration.ofSeconds(15), null);
    }

    public SessionLockOptions withDirectory(Path d) {
        return new SessionLockOptions(d, policy, silent, askFor, listener);
    }

    public SessionLockOptions withPolicy(KissPolicy p) {
        return new SessionLockOptions(directory, p, silent, askFor, listener);
    }

    public SessionLockOptions withSilent(boolean s) {
        return new SessionLockOptions(directory, policy, s, askFor, listener);
    }

    public SessionLockOptions withAskFor(Duration d) {
        return new SessionLockOptions(directory, policy, silent, d, listener);
    }

    public SessionLockOptions withListener(SessionListener l) {
        return new SessionLockOptions(directory, policy, silent, askFor, l);
    }
}
