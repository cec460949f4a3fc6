package org.spoollock.store;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a mailbox is, as a user names it: {@code [driver:]location}, e.g. {@code /var/mail/alice},
 * {@code mtx:/home/bob/old.mtx} or (for formats to come) {@code maildir:/home/c/Maildir}. The driver
 * prefix forces a format (and chooses it for a mailbox that does not exist yet); without one the
 * registry probes the location. A location is a path for every file or directory format; a driver
 * for a remote store reads {@link #location()} itself.
 */
public record MailboxRef(String driver, String location) {
    public MailboxRef {
        Objects.requireNonNull(location, "location");
        if (location.isEmpty()) {
            throw new IllegalArgumentException("empty mailbox name");
        }
        driver = driver == null ? null : driver.toLowerCase(Locale.ROOT);
    }

    /** A path with no forced driver. */
    public static MailboxRef of(Path path) {
        return new MailboxRef(null, path.toString());
    }

    /** A path with a forced driver (null: probe). */
    public static MailboxRef of(String driver, Path path) {
        return new MailboxRef(driver, path.toString());
    }

    /** The location as a file-system path. */
    public Path path() {
        return Path.of(location);
    }

    /** The same location with another forced driver. */
    public MailboxRef withDriver(String d) {
        return new MailboxRef(d, location);
    }

    @Override
    public String toString() {
        return (driver == null ? "" : driver + ":") + location;
    }
}
