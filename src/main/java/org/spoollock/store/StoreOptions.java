package org.spoollock.store;

import java.time.Duration;
import java.util.List;

import org.spoollock.lock.MailboxLockOptions;
import org.spoollock.session.SessionLockOptions;

/**
 * How any mailbox is opened, whatever its format: each driver takes what its lock policy needs.
 *
 * @param lock     the file-lock layers (dot-lock, flock, POSIX) for formats locked as c-client's unix driver
 * @param session  the session lock: its directory, the kiss-of-death policy, how long to ask for a mailbox
 * @param timeout  how long to wait for any lock
 * @param keywords the keyword list for formats that keep none in the file (tenex/mtx: c-client's
 *                 configured list, /etc/c-client.cf); null: the configured one
 * @param mboxrd   formats with From_ separators: quote From_-like body lines the mboxrd way (reversible)
 *                 instead of c-client's mboxo
 * @param passwordFile remote stores (imap:, imaps:): a file whose first line is the password (never the
 *                 password itself, which would show in logs and dumps); null: the environment's
 *                 {@code SPOOLLOCK_IMAP_PASSWORD}
 */
public record StoreOptions(MailboxLockOptions lock, SessionLockOptions session, Duration timeout, List<String> keywords,
                           boolean mboxrd, java.nio.file.Path passwordFile) {
    public static StoreOptions defaults() {
        return new StoreOptions(MailboxLockOptions.defaults(), SessionLockOptions.defaults(), Duration.ofSeconds(360), null,
                false, null);
    }

    public StoreOptions withPasswordFile(java.nio.file.Path f) {
        return new StoreOptions(lock, session, timeout, keywords, mboxrd, f);
    }

    public StoreOptions withLock(MailboxLockOptions l) {
        return new StoreOptions(l, session, timeout, keywords, mboxrd, passwordFile);
    }

    public StoreOptions withSession(SessionLockOptions s) {
        return new StoreOptions(lock, s, timeout, keywords, mboxrd, passwordFile);
    }

    public StoreOptions withTimeout(Duration t) {
        return new StoreOptions(lock, session, t, keywords, mboxrd, passwordFile);
    }

    public StoreOptions withKeywords(List<String> k) {
        return new StoreOptions(lock, session, timeout, k == null ? null : List.copyOf(k), mboxrd, passwordFile);
    }

    public StoreOptions withMboxrd(boolean yes) {
        return new StoreOptions(lock, session, timeout, keywords, yes, passwordFile);
    }
}
