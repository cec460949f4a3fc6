package org.spoollock.mail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;

import org.spoollock.session.KissPolicy;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.store.StoreOptions;

/**
 * The provider's settings, from the Jakarta Mail session's properties (PROTO is mbox, tenex or mtx):
 * <ul>
 * <li>{@code mail.PROTO.kissofdeath}: what a read-write folder does when c-client asks for its mailbox:
 *     {@code yield} (default, as imapd), {@code idle:SECS} (as ipop3d), {@code refuse};
 * <li>{@code mail.PROTO.kisswait}: seconds to wait for another session to hand a mailbox over (15);
 * <li>{@code mail.PROTO.locktimeout}: seconds to wait for the mailbox locks (360);
 * <li>{@code mail.PROTO.sessiondir}: where session locks live (/tmp, as c-client);
 * <li>{@code mail.tenex.keywords} / {@code mail.mtx.keywords}: the keyword list (default: c-client's,
 *     from /etc/c-client.cf).
 * </ul>
 */
final class SpoolOptions {
    private SpoolOptions() {
    }

    static StoreOptions from(Properties p, String protocol) {
        String prefix = "mail." + protocol + ".";
        Path dir = Path.of(p.getProperty(prefix + "sessiondir", "/tmp"));
        Duration timeout = Duration.ofSeconds(Long.parseLong(p.getProperty(prefix + "locktimeout", "360")));
        SessionLockOptions session = SessionLockOptions.defaults().withDirectory(dir)
                .withPolicy(KissPolicy.parse(p.getProperty(prefix + "kissofdeath", "yield")))
                .withAskFor(Duration.ofSeconds(Long.parseLong(p.getProperty(prefix + "kisswait", "15"))));
        String kw = p.getProperty(prefix + "keywords");
        return StoreOptions.defaults().withSession(session).withTimeout(timeout)
                .withKeywords(kw == null ? null : Arrays.asList(kw.split("[, ]+")));
    }
}
