package org.spoollock.store.mbox;

import org.spoollock.store.MailboxChangedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.spoollock.lock.LockState;
import org.spoollock.lock.MailboxLock;
import org.spoollock.lock.MailboxLockOptions;
import org.spoollock.posix.ChannelIo;
import org.spoollock.posix.Posix;
import org.spoollock.posix.PosixException;
import org.spoollock.posix.Stat;
import org.spoollock.posix.Faults;
import org.spoollock.store.journal.AppendIntent;

/**
 * Appends formatted messages ({@link MboxEncoding#format}) to an mbox as c-client's append does:
 * under the exclusive layered lock, one write, fsync, then atime one second before mtime so mail
 * readers see new mail. On a write error the file is cut back to its previous length and the error
 * says so; a process killed midway is cleaned up by {@link MboxRecovery} through an
 * {@link org.spoollock.store.journal.AppendIntent}.
 * Many messages in one call share the lock, the write and the fsync.
 */
public final class MboxAppender {
    private static final System.Logger LOG = System.getLogger(MboxAppender.class.getName());
    private MboxAppender() {
    }

    /** A delivery that did not happen; the mailbox is as it was (the message says how it was restored). */
    public static final class AppendFailedException extends org.spoollock.store.StorageException {
        private static final long serialVersionUID = 1L;

        /** Of the cause's category: the append says where, the cause what. */
        AppendFailedException(String message, IOException cause) {
            super(org.spoollock.store.StorageErrors.categoryOf(cause), message, cause);
        }

        /** Whether retrying later may succeed (disk full, quota, lock timeout). */
        public boolean temporary() {
            return getCause() instanceof PosixException.NoSpaceException;
        }
    }

    /**
     * Appends {@code messages} (each already formatted) in order, under one lock, one write and one
     * fsync. Returns the offset where the first one starts.
     */
    public static long append(Path mailbox, List<byte[]> messages, MailboxLockOptions lockOptions, Duration timeout)
            throws IOException {
        return append(mailbox, messages, lockOptions, timeout, true);
    }

    /**
     * As {@link #append(Path, List, MailboxLockOptions, Duration)}; without {@code fsync} the caller
     * syncs later (a migration syncs its target once, at the end). A process killed meanwhile loses
     * nothing (the page cache has it); a power cut may lose what was not synced.
     */
    public static long append(Path mailbox, List<byte[]> messages, MailboxLockOptions lockOptions, Duration timeout,
                              boolean fsync) throws IOException {
        return append(mailbox, messages, lockOptions, timeout, fsync, Framing.UNIX);
    }

    /** As {@link #append(Path, List, MailboxLockOptions, Duration, boolean)} into a file of {@code framing} (mbox or mmdf). */
    public static long append(Path mailbox, List<byte[]> messages, MailboxLockOptions lockOptions, Duration timeout,
                              boolean fsync, Framing framing) throws IOException {
        org.spoollock.store.WriteEvent event = org.spoollock.store.WriteEvents.begin();
        long at;
        try (MailboxLock lock = MboxRecovery.lockExclusive(mailbox, timeout, lockOptions, framing)) {
            at = appendLocked(mailbox, lock, messages, fsync, true, framing);
        }
        if (event != null) {
            org.spoollock.store.WriteEvents.commit(event, mailbox.toString(), "append", messages.size(),
                    messages.stream().mapToLong(m -> m.length).sum());
        }
        return at;
    }

    /** The append itself, for callers that hold the exclusive lock already. */
    static long appendLocked(Path mailbox, MailboxLock lock, List<byte[]> messages) throws IOException {
        return appendLocked(mailbox, lock, messages, true, true, Framing.UNIX);
    }

    private static long appendLocked(Path mailbox, MailboxLock lock, List<byte[]> messages, boolean fsync,
                                     boolean withIntent, Framing framing) throws IOException {
        String name = mailbox.toString();
        FileChannel ch = lock.channel();
        Stat st = lock.stat();
        long old = ChannelIo.size(ch, name);
        MboxFiles.requireFormat(ch, old, name, framing);
        // A mailbox whose last line lacks its newline would swallow our From_ line (mmdf: our ^A line):
        // c-client appends there anyway (and the new message disappears into the last one); we add the newline.
        boolean needNewline = old > 0 && ChannelIo.read(ch, old - 1, 1, name)[0] != '\n';
        long total = needNewline ? 1 : 0;
        for (byte[] m : messages) {
            total += m.length;
        }
        if (total > Integer.MAX_VALUE - 64) {
            throw new IOException(name + ": refusing to append " + total + " bytes in one write (over 2 GB)");
        }
        ByteBuffer data = ByteBuffer.allocate((int) total);
        if (needNewline) {
            data.put((byte) '\n');
        }
        for (byte[] m : messages) {
            data.put(m);
        }
        data.flip();
        AppendIntent.Note intent = withIntent ? AppendIntent.write(mailbox, ch, st, old, data) : null;
        Faults.point("append.noted");
        // The write goes to offset `old`. If we were stopped (SIGSTOP, a swapped-out or frozen VM)
        // since taking the lock for longer than the stale period, another writer may have broken our
        // dot-lock and appended there (flock does not stop one that uses the dot-lock alone: procmail,
        // NFS, another host): writing now would overwrite its message. Look again, just before. A stop
        // between this look and the write itself (microseconds) cannot be defended against by any
        // dot-lock writer, c-client included (docs/locking.md): the write then goes after what the
        // breaker wrote (O_APPEND), which keeps both whole unless the breaker is still writing. The look
        // also renews the dot-lock: a lock found intact after a long stop is stale, and may be broken
        // during the write unless it is made fresh first (confirmForWrite).
        LockState held = lock.confirmForWrite();
        long size = ChannelIo.size(ch, name);
        if (held != LockState.HELD || size != old) {
            // The intent file, if still there, is judged by whoever holds the lock now (it finds our
            // bytes absent and drops it); removing it here could remove the new holder's.
            throw new MailboxChangedException(name + ": the lock was " + held.toString().toLowerCase(java.util.Locale.ROOT)
                    + (size != old ? " and the mailbox grew from " + old + " to " + size + " bytes" : "")
                    + " before our write (this process was stopped longer than the stale period?): nothing written,"
                    + " try again");
        }
        Faults.point("append.checked");
        Posix posix = Posix.get();
        long landed = old;
        try {
            if (Faults.armed("append.partial")) { // the harness stops us half-way through the message
                ByteBuffer half = data.duplicate();
                half.limit(half.position() + half.remaining() / 2);
                ChannelIo.write(ch, half, old, name);
                Faults.point("append.partial");
            }
            landed = appendAtEnd(posix, lock, data, name);
            Faults.point("append.written");
            if (fsync) {
                ChannelIo.force(ch, name);
            }
        } catch (IOException e) {
            String restored;
            boolean cutBack = false;
            try {
                if (lock.check() != LockState.HELD || landed != old) {
                    // others may have appended after `old` since: cutting back would cut them too
                    throw new IOException("the lock was lost meanwhile, so the mailbox was left as it is (the next"
                            + " spoollock open cuts out the partial message)");
                }
                ChannelIo.truncate(ch, old, name);
                ChannelIo.force(ch, name);
                restored = "the mailbox was truncated back to its previous " + old + " bytes";
                // keep "new mail" as it was: c-client restores the old atime if mail was unread
                long now = System.currentTimeMillis() / 1000 * 1_000_000_000L;
                boolean unread = st.ctimeNanos() > st.atimeNanos() || st.mtimeNanos() > st.atimeNanos();
                posix.setTimes(lock.fd(), unread ? st.atimeNanos() : now, now, name);
                if (intent != null) {
                    intent.remove();
                }
                cutBack = true;
            } catch (IOException again) {
                restored = "truncating it back to " + old + " bytes failed too (" + again.getMessage()
                        + "); the next spoollock open of the mailbox cuts the partial message out";
            }
            if (cutBack && intent != null && e instanceof PosixException.NoSpaceException) {
                // The intent holds a copy of the message, so on a nearly full disk it took the room the
                // message needed; c-client, which keeps no copy, would have delivered. So do we, once,
                // without that net (as where the intent cannot be written at all).
                return appendLocked(mailbox, lock, messages, fsync, false, framing);
            }
            throw new AppendFailedException(name + ": append of " + messages.size() + " message(s), " + total
                    + " bytes, failed: " + e.getMessage() + "; " + restored, e);
        }
        long now = System.currentTimeMillis() / 1000;
        posix.setTimes(lock.fd(), (now - 1) * 1_000_000_000L, now * 1_000_000_000L, name);
        if (intent != null) {
            intent.remove();
        }
        if (landed != old) {
            LOG.log(System.Logger.Level.WARNING, name + ": this process was stopped between its last look at the lock and"
                    + " its write, longer than the stale period, and the lock was broken meanwhile: the message went in"
                    + " whole, after the " + (landed - old) + " bytes others appended since, but not under the lock");
        }
        return landed + (needNewline ? 1 : 0);
    }

    /**
     * Writes {@code data} at the end of the file with O_APPEND, in one write where the kernel allows,
     * and returns where it landed. Under the lock that is {@code old}, where we looked. A process
     * stopped (SIGSTOP, a frozen VM) between that look and the write for longer than the stale period
     * has lost its lock, and others have appended meanwhile: a positional write at {@code old} would
     * overwrite their messages (spooltest/torture lost acknowledged messages that way); an append
     * lands after them, whole.
     */
    private static long appendAtEnd(Posix posix, MailboxLock lock, ByteBuffer data, String name) throws IOException {
        int fd = lock.appendDescriptor();
        byte[] bytes = data.array();
        posix.writeFully(fd, bytes, name);
        return posix.lseek(fd, 0, Posix.SEEK_CUR, name) - bytes.length;
    }
}
