package org.spoollock.lmtp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.spoollock.store.StoreOptions;

/**
 * How the LMTP service runs (see {@code spoollock lmtp --help} and docs/lmtp.md).
 *
 * @param listen          where to listen (at least one)
 * @param mailboxTemplate where each recipient's mail goes ({@link RecipientResolver})
 * @param format          the format forced for every mailbox, or null (a new one is mbox)
 * @param maxSize         larger messages are refused with 552 after their data is read and dropped
 * @param maxConnections  more at once are answered 421 and closed
 * @param idleTimeout     a connection silent this long is closed with 421
 * @param statsEvery      how often a statistics line is logged (zero: never)
 * @param spillDirectory  where messages over a few MB wait while they are received
 * @param store           lock, wait and format options of every delivery
 * @param guard           spool directories whose killed writers' work a {@link org.spoollock.guard.SpoolGuardian}
 *                        finishes while the service runs (empty: none)
 */
public record LmtpConfig(List<Listen> listen, String mailboxTemplate, String format, Users users,
                         long maxSize, int maxConnections, Duration idleTimeout, Duration statsEvery,
                         Path spillDirectory, String hostname, StoreOptions store, List<Path> guard) {
    public LmtpConfig {
        listen = List.copyOf(listen);
        guard = List.copyOf(guard);
        if (listen.isEmpty()) {
            throw new IllegalArgumentException("nowhere to listen");
        }
        if (maxSize <= 0 || maxConnections <= 0) {
            throw new IllegalArgumentException("--max-size and --max-connections must be positive");
        }
    }

    /** Without a guardian. */
    public LmtpConfig(List<Listen> listen, String mailboxTemplate, String format, Users users, long maxSize,
                      int maxConnections, Duration idleTimeout, Duration statsEvery, Path spillDirectory, String hostname,
                      StoreOptions store) {
        this(listen, mailboxTemplate, format, users, maxSize, maxConnections, idleTimeout, statsEvery, spillDirectory,
                hostname, store, List.of());
    }

    /**
     * The directory every mailbox of {@code template} is in, when the template fixes one (/var/mail/%u:
     * /var/mail); null when it varies per recipient (%h/mbox, /srv/%d/%u).
     */
    public static Path fixedDirectory(String template) {
        int slash = template.lastIndexOf('/');
        if (slash <= 0) {
            return null;
        }
        String dir = template.substring(0, slash);
        return dir.indexOf('%') >= 0 ? null : Path.of(dir);
    }
}
