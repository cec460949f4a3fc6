package org.spoollock.mail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;

import org.spoollock.session.KissPolicy;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.StoreOptions;

/**
 * The provider's settings, from the Jakarta Mail session's properties (PROTO is the format's name: mbox, mmdf, tenex, mtx):
 * <ul>
 * <li>{@code mail.PROTO.kissofdeath}: what a read-write folder does when c-client asks for its mailbox:
 *     {@code yield} (default, as imapd), {@code idle:SECS} (as ipop3d), {@code refuse};
 * <li>{@code mail.PROTO.kisswait}: seconds to wait for another session to hand a mailbox over (15);
 * <li>{@code mail.PROTO.locktimeout}: seconds to wait for the mailbox locks (360);
 * <li>{@code mail.PROTO.sessiondir}: where session locks live (/tmp, as c-client);
 * <li>{@code mail.tenex.keywords} / {@code mail.mtx.keywords}: the keyword list (default: c-client's,
 *     from /etc/c-client.cf);
 * <li>{@code mail.PROTO.maxsize}: the largest message appendMessages takes, in bytes (256 MiB, as the
 *     LMTP service's --max-size); a larger one is refused before anything is written.
 * </ul>
 */
final class SpoolOptions {
    private SpoolOptions() {
    }

    /** The default of {@code mail.PROTO.maxsize}: the LMTP service's default --max-size. */
    static final long DEFAULT_MAX_SIZE = 256L << 20;

    /** {@code mail.PROTO.maxsize}. */
    static long maxSize(Properties p, String protocol) {
        return positive(p, "mail." + protocol + ".maxsize", DEFAULT_MAX_SIZE, "bytes");
    }

    /** Throws IllegalArgumentException naming the property and its value when one is not valid. */
    static StoreOptions from(Properties p, String protocol) {
        String prefix = "mail." + protocol + ".";
        Path dir = Path.of(p.getProperty(prefix + "sessiondir", "/tmp"));
        Duration timeout = Duration.ofSeconds(positive(p, prefix + "locktimeout", 360, "seconds"));
        String kiss = p.getProperty(prefix + "kissofdeath", "yield");
        KissPolicy policy;
        try {
            policy = KissPolicy.parse(kiss);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + "kissofdeath=" + kiss + ": " + e.getMessage(), e);
        }
        SessionLockOptions session = SessionLockOptions.defaults().withDirectory(dir).withPolicy(policy)
                .withAskFor(Duration.ofSeconds(positive(p, prefix + "kisswait", 15, "seconds")));
        String kw = p.getProperty(prefix + "keywords");
        return StoreOptions.defaults().withSession(session).withTimeout(timeout)
                .withKeywords(kw == null ? null : Arrays.asList(kw.split("[, ]+")));
    }

    private static long positive(Properties p, String name, long otherwise, String unit) {
        String v = p.getProperty(name);
        if (v == null) {
            return otherwise;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(name + "=" + v + ": not a positive number of " + unit);
    }
}
