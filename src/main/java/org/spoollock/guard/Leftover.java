package org.spoollock.guard;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A file in a spool directory that a spoollock writer leaves beside a mailbox while it works, and
 * leaves behind if it is killed: which mailbox it belongs to, told from its name alone.
 *
 * @param mailbox the mailbox's path (which may no longer exist)
 * @param kind    what the file is
 */
record Leftover(Path mailbox, Kind kind) {
    enum Kind {
        /** {@code .<mailbox>.spoollock-append}: a delivery under way, or cut short. */
        APPEND_NOTE,
        /** {@code .<mailbox>.spoollock-journal}: a committed rewrite, being applied or interrupted. */
        JOURNAL,
        /** {@code <mailbox>.lock}: anyone's dot-lock (c-client's, procmail's, ours). */
        DOT_LOCK
    }

    private static final String NOTE = ".spoollock-append";
    private static final String JOURNAL = ".spoollock-journal";
    private static final String LOCK = ".lock";

    /**
     * What {@code name} (a file in {@code dir}) is, if a guardian cares. Uncommitted journals
     * ({@code .tmp}) and notes set aside ({@code .unresolved-*}, {@code .obsolete-*}) are not: the
     * first never touched the mailbox, the others wait for a human.
     */
    static Optional<Leftover> of(Path dir, String name) {
        if (name.startsWith(".") && name.endsWith(NOTE) && name.length() > 1 + NOTE.length()) {
            return Optional.of(new Leftover(dir.resolve(name.substring(1, name.length() - NOTE.length())), Kind.APPEND_NOTE));
        }
        if (name.startsWith(".") && name.endsWith(JOURNAL) && name.length() > 1 + JOURNAL.length()) {
            return Optional.of(new Leftover(dir.resolve(name.substring(1, name.length() - JOURNAL.length())), Kind.JOURNAL));
        }
        if (name.endsWith(LOCK) && name.length() > LOCK.length()) {
            return Optional.of(new Leftover(dir.resolve(name.substring(0, name.length() - LOCK.length())), Kind.DOT_LOCK));
        }
        return Optional.empty();
    }
}
