package org.spoollock.store.mbox;

import org.spoollock.store.MailboxChangedException;
import org.spoollock.store.MailboxInUseException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Collection;

import org.spoollock.lock.MailboxLock;
import org.spoollock.lock.MailboxLockOptions;
import org.spoollock.posix.ChannelIo;
import org.spoollock.posix.Posix;
import org.spoollock.posix.ReadAhead;
import org.spoollock.posix.SpaceReservation;
import org.spoollock.session.SessionLock;
import org.spoollock.session.SessionLockOptions;
import org.spoollock.session.SessionOpen;
import org.spoollock.store.journal.Journal;

/**
 * An mbox opened as c-client's unix driver opens it, for reading or for a read-write session.
 *
 * <ul>
 * <li>Read-only: no session lock; each parse (the first, and {@link #refresh} for new mail) runs
 *     under the dot-lock and a shared flock, released right after.
 * <li>Read-write: the session lock {@code /tmp/.<dev>.<ino>} first (asking its holder to hand over,
 *     c-client's kiss of death), then as read-only; flag changes are kept in memory and written by
 *     {@link #checkpoint} or {@link #close}, expunge writes at once; writes run under the dot-lock and
 *     an exclusive flock, through a {@link Journal} so a crash leaves the before or the after state.
 * </ul>
 *
 * <p>The mailbox stays in the file: the index holds offsets and flags only.
 */
public final class MboxMailbox implements AutoCloseable {
    /** Bytes read at a time by whole-mailbox passes ({@link #visitParts}). */
    private static final int READ_AHEAD = 4 << 20;
    private final Path path;
    private final Options options;
    private final SessionLock session;
    /** The file this open read (its device and inode): see {@link #requireSameFile}. */
    private org.spoollock.posix.Stat file;
    private MboxIndex index;
    private boolean closed;

    /** How the mailbox is locked, and how its messages are delimited (mbox or mmdf). */
    public record Options(MailboxLockOptions lock, SessionLockOptions session, Duration timeout, Framing framing) {
        public static Options defaults() {
            return new Options(MailboxLockOptions.defaults(), SessionLockOptions.defaults(), Duration.ofSeconds(360),
                    Framing.UNIX);
        }

        public Options withLock(MailboxLockOptions l) {
            return new Options(l, session, timeout, framing);
        }

        public Options withSession(SessionLockOptions s) {
            return new Options(lock, s, timeout, framing);
        }

        public Options withTimeout(Duration t) {
            return new Options(lock, session, t, framing);
        }

        public Options withFraming(Framing f) {
            return new Options(lock, session, timeout, f);
        }
    }

    private MboxMailbox(Path path, Options options, SessionLock session) {
        this.path = path;
        this.options = options;
        this.session = session;
    }

    /** Opens for reading: parses under the shared locks and holds nothing afterwards. */
    public static MboxMailbox openReadOnly(Path mailbox, Options options) throws IOException {
        MboxMailbox m = new MboxMailbox(mailbox, options, null);
        m.parseAll();
        return m;
    }

    /**
     * Opens a read-write session. Throws {@link MailboxInUseException} if another session keeps the
     * mailbox (it did not hand it over within the session options' {@code askFor}).
     */
    public static MboxMailbox openReadWrite(Path mailbox, Options options) throws IOException {
        SessionOpen open = SessionLock.openReadWrite(mailbox, options.session());
        if (!open.readWrite()) {
            throw new MailboxInUseException(mailbox + ": " + open.reason());
        }
        MboxMailbox m = new MboxMailbox(mailbox, options, open.lock());
        try {
            m.parseAll();
        } catch (IOException | RuntimeException e) {
            open.lock().close();
            throw e;
        }
        return m;
    }

    public Path path() {
        return path;
    }

    public boolean readWrite() {
        return session != null;
    }

    /** The current index (replaced after a rewrite; do not keep it across writes). */
    public MboxIndex index() {
        return index;
    }

    private void parseAll() throws IOException {
        try (MailboxLock lock = readLock()) {
            index = MboxIndex.scan(lock.channel(), path, options.framing());
            file = lock.stat();
        }
    }

    /**
     * The file under {@code lock} is the one this open read (not another renamed over its name, e.g. a
     * mailbox restored from a backup): offsets of the index mean nothing in another file, so nothing
     * is read from or written into it through this open.
     */
    private void requireSameFile(MailboxLock lock) throws MailboxChangedException {
        org.spoollock.posix.Stat now = lock.stat();
        if (file != null && !file.sameFile(now)) {
            throw new MailboxChangedException(path + ": the mailbox was replaced by another file since it was opened"
                    + " (inode " + file.ino() + ", now " + now.ino() + "); reopen it");
        }
    }

    /** The shared lock on the file this open read ({@link #requireSameFile}): every read of this open takes it. */
    private MailboxLock readLock() throws IOException {
        MailboxLock lock = readLock(path, options);
        try {
            requireSameFile(lock);
        } catch (IOException | RuntimeException e) {
            lock.release();
            throw e;
        }
        return lock;
    }

    /**
     * Finishes a killed spoollock write on this mbox under {@code held} (shared or exclusive) without
     * letting go of its dot-lock; false if that cannot be done safely with this lock (see
     * {@link MailboxLock#runExclusively}). For callers of {@link org.spoollock.store.journal.Recovery#lockFinished}.
     */
    public static boolean finishHolding(Path path, MailboxLock held, Duration timeout) throws IOException {
        return finishHolding(path, held, timeout, Framing.UNIX);
    }

    /** As {@link #finishHolding(Path, MailboxLock, Duration)} for a file of {@code framing}. */
    public static boolean finishHolding(Path path, MailboxLock held, Duration timeout, Framing framing) throws IOException {
        return MboxRecovery.runHolding(path, held, timeout, framing);
    }

    /**
     * The shared lock every read of an mbox takes (the store's, {@code spoollock check}'s): any
     * interrupted spoollock write finished first (which needs the exclusive lock), and the dot-lock
     * kept until release, as c-client parses under dot-lock + flock.
     */
    public static MailboxLock readLock(Path path, Options options) throws IOException {
        return org.spoollock.store.journal.Recovery.lockFinished(path,
                () -> MboxRecovery.finish(path, options.timeout(), options.lock(), options.framing()),
                () -> MailboxLock.acquire(path, MailboxLock.Mode.SHARED, options.timeout(),
                        options.lock().withDotLockForReads(true)),
                held -> finishHolding(path, held, options.timeout(), options.framing()));
    }

    /**
     * Reads new mail: parses only what was appended since. Returns the number of new messages.
     * Throws {@link MailboxChangedException} if the mailbox shrank or was rewritten meanwhile.
     */
    public int refresh() throws IOException {
        ensureOpen();
        int before = index.count();
        try (MailboxLock lock = readLock()) {
            parseTail(lock);
        }
        return index.count() - before;
    }

    private void parseTail(MailboxLock lock) throws IOException {
        FileChannel ch = lock.channel();
        long size = ChannelIo.size(ch, path.toString());
        // a rewrite by someone else that kept the size or grew it would not show in the size alone
        // (a file that shrank is reported by the parser)
        if (index.count() > 0 && size >= index.end(index.count())) {
            verifyUnchanged(ch, index.count());
        }
        new MboxParser(index, path).parse(ch, size);
    }

    /**
     * Changes flags of messages {@code msgnos} in memory (written at {@link #checkpoint}): sets
     * {@code add}, clears {@code remove} (system flag bits), and adds / removes keywords (new ones
     * are created, up to c-client's 30).
     */
    public void setFlags(Collection<Integer> msgnos, int add, int remove, Collection<String> addKeywords,
                         Collection<String> removeKeywords) {
        requireWritable();
        used();
        int addKw = 0;
        for (String k : addKeywords) {
            addKw |= 1 << index.keywordIndex(k, true);
        }
        int removeKw = 0;
        for (String k : removeKeywords) {
            int i = index.keywordIndex(k, false);
            if (i >= 0) {
                removeKw |= 1 << i;
            }
        }
        for (int m : msgnos) {
            index.setFlags(m, (index.flags(m) | add) & ~remove, (index.keywordBits(m) | addKw) & ~removeKw);
        }
    }

    /**
     * Adds keywords the mailbox does not know yet to its list (written in X-IMAPbase at the next checkpoint),
     * as c-client's session creates a keyword a message appended through it carries: without this, the
     * X-Keywords of an appended message would name keywords every reader ignores.
     */
    public void defineKeywords(Collection<String> names) {
        requireWritable();
        for (String k : names) {
            index.keywordIndex(k, true);
        }
    }

    /** Writes pending changes (flags, UIDs, keywords) if there are any, as c-client's checkpoint. */
    public void checkpoint() throws IOException {
        requireWritable();
        if (index.needsCheckpoint()) {
            rewrite(false);
        }
    }

    /** Removes the messages flagged \Deleted; returns how many. */
    public int expunge() throws IOException {
        requireWritable();
        used();
        return rewrite(true);
    }

    private int rewrite(boolean expunge) throws IOException {
        String name = path.toString();
        try (MailboxLock lock = MboxRecovery.lockExclusive(path, options.timeout(), options.lock(), options.framing())) {
            if (session.state() != SessionLock.State.HELD) {
                throw new MailboxInUseException(path + ": this session handed the mailbox over to another process"
                        + " before its changes were written; nothing was written");
            }
            requireSameFile(lock);
            FileChannel ch = lock.channel();
            parseTail(lock);
            long old = ChannelIo.size(ch, name);
            RewritePlan plan = RewritePlan.of(index, ch, name, expunge, Posix.get().hostname(), ZonedDateTime.now());
            if (plan.newSize > old) {
                SpaceReservation.reserve(lock.fd(), old, plan.newSize - old, path);
            }
            // the last look before writing, as an append's: a lock that went stale while this process was
            // stopped is renewed, or found broken (then nothing is written)
            org.spoollock.lock.LockState held = lock.confirmForWrite();
            if (held != org.spoollock.lock.LockState.HELD) {
                throw new MailboxChangedException(path + ": the lock was " + held.toString()
                        .toLowerCase(java.util.Locale.ROOT) + " before the rewrite (this process was stopped longer"
                        + " than the stale period?): nothing written, try again");
            }
            Journal.rewrite(path, ch, lock.stat(), old, plan.newSize, plan.patches);
            // c-client: atime now, mtime a second earlier, so the rewrite does not look like new mail
            long now = System.currentTimeMillis() / 1000;
            Posix.get().setTimes(lock.fd(), now * 1_000_000_000L, (now - 1) * 1_000_000_000L, name);
            index = MboxIndex.scan(ch, path, options.framing());
            return plan.expunged;
        }
    }

    /**
     * Writes message {@code msgno} as c-client presents it: its header without the status headers, the
     * blank line, then its text as stored (lines quoted {@code >From} stay so unless {@code unquote}
     * is MBOXRD, which removes one {@code >}). Reads under the shared locks, in chunks (no whole-message
     * buffer); if the mailbox was rewritten under us, {@link MailboxChangedException} and nothing written.
     */
    public void writeMessage(int msgno, java.io.OutputStream out, Quoting unquote) throws IOException {
        ensureOpen();
        used();
        try (MailboxLock lock = readLock()) {
            FileChannel ch = lock.channel();
            verifyUnchanged(ch, msgno);
            writeContent(ch, msgno, out, unquote);
        }
    }

    /** The message's header without status headers, the blank line, its text (under a lock the caller holds). */
    private void writeContent(FileChannel ch, int msgno, java.io.OutputStream out, Quoting unquote) throws IOException {
        out.write(keptHeader(ch, msgno));
        java.io.InputStream text = new java.io.BufferedInputStream(
                new RegionInputStream(ch, textAt(msgno), index.textLength(msgno)), 1 << 16);
        if (unquote == Quoting.MBOXRD) {
            Quoting.unquoteMboxrd(text, out);
        } else {
            text.transferTo(out);
        }
    }

    /** What {@link #visit} hands over for each message. */
    @FunctionalInterface
    public interface MessageVisitor {
        void message(int msgno, String envelopeSender, byte[] content) throws IOException;
    }

    /**
     * What {@link #visitParts} hands over for each message: its header as {@link #writeMessage} gives
     * it (status headers out, CRs squeezed, ending in the blank line) and its text as stored, in
     * {@code buffer[textOffset .. textOffset + textLength)}, which is valid only during the call.
     */
    @FunctionalInterface
    public interface PartsVisitor {
        void message(int msgno, String envelopeSender, byte[] header, byte[] buffer, int textOffset, int textLength)
                throws IOException;
    }

    /**
     * Reads messages {@code from..to} under one shared lock: each one's envelope sender (from its
     * From_ line) and content as {@link #writeMessage} gives it, one message in memory at a time.
     */
    public void visit(int from, int to, MessageVisitor visitor) throws IOException {
        visitParts(from, to, (m, sender, header, buffer, offset, length) -> visitor.message(m, sender,
                org.spoollock.store.Mailbox.joined(header, buffer, offset, length)));
    }

    /**
     * As {@link #visit}, without assembling each message: the file is read front to back in chunks of
     * a few MB (one read per chunk), the fastest way through a whole mailbox (a migration).
     */
    public void visitParts(int from, int to, PartsVisitor visitor) throws IOException {
        ensureOpen();
        used();
        if (to < from) {
            return;
        }
        try (MailboxLock lock = readLock()) {
            FileChannel ch = lock.channel();
            long size = ChannelIo.size(ch, path.toString());
            if (size < index.end(to)) {
                throw changed(to);
            }
            ReadAhead file = new ReadAhead(ch, size, READ_AHEAD, path.toString());
            for (int m = from; m <= to; m++) {
                long length = index.end(m) - index.start(m);
                if (length > Integer.MAX_VALUE - 64) {
                    throw new IOException(path + ": message " + m + " is over 2 GB");
                }
                ReadAhead.Window w = file.at(index.start(m), (int) length);
                byte[] b = w.array();
                int fromLen = index.fromLength(m);
                if (!options.framing().startsMessage(b, w.offset(), w.offset() + fromLen)) {
                    throw changed(m);
                }
                int at = w.offset() + options.framing().prefixLength() + 5; // after "From "
                int sp = at;
                while (sp < w.offset() + fromLen && b[sp] != ' ') {
                    sp++;
                }
                String sender = sp > at ? new String(b, at, sp - at, java.nio.charset.StandardCharsets.ISO_8859_1)
                        : "MAILER-DAEMON"; // also an mmdf message without a From_ line
                int headerAt = w.offset() + fromLen;
                byte[] kept = HeaderFilter.kept(b, headerAt, index.headerLength(m));
                byte[] header = java.util.Arrays.copyOf(kept, kept.length + 1);
                header[kept.length] = '\n';
                visitor.message(m, sender, header, b, headerAt + index.headerLength(m), (int) index.textLength(m));
            }
        }
    }

    /** Guesses the mailbox's quoting ({@link Quoting#detect}): mboxrd if a body line reads {@code >>From }. */
    public Quoting detectQuoting() throws IOException {
        ensureOpen();
        try (MailboxLock lock = readLock()) {
            FileChannel ch = lock.channel();
            return Quoting.detect(ch, ChannelIo.size(ch, path.toString()));
        }
    }

    /**
     * Message {@code msgno} as {@link #message}(msgno, MBOXO) gives it, read in pieces: the header (status
     * headers out) now, the text later, each piece under the shared locks after checking that the message
     * is still where the index has it. The message is followed by its UID, so this open's own rewrites
     * (which move messages) do not disturb a reader; another program's rewrite is an IOException.
     */
    public org.spoollock.store.Mailbox.ContentReader contentReader(int msgno) throws IOException {
        ensureOpen();
        used();
        long uid = index.uid(msgno);
        boolean byUid = uid > 0 && index.msgnoOf(uid) == msgno; // a read-only open's positional UIDs are not kept
        byte[] head;
        try (MailboxLock lock = readLock()) {
            FileChannel ch = lock.channel();
            verifyUnchanged(ch, msgno);
            head = keptHeader(ch, msgno);
        }
        long textLength = index.textLength(msgno);
        return new org.spoollock.store.Mailbox.ContentReader() {
            @Override
            public long length() {
                return head.length + textLength;
            }

            @Override
            public int read(long position, byte[] b, int off, int len) throws IOException {
                if (position >= length()) {
                    return -1;
                }
                if (position < head.length) {
                    int n = (int) Math.min(len, head.length - position);
                    System.arraycopy(head, (int) position, b, off, n);
                    return n;
                }
                long at = position - head.length;
                int n = (int) Math.min(len, textLength - at);
                // callers serialize this with the open's other calls, as for every method of an open mailbox
                if (closed) {
                    throw new MailboxChangedException(path + ": closed (or read anew) while message UID " + uid + " was read");
                }
                int now = byUid ? index.msgnoOf(uid) : msgno;
                if (now == 0 || now > index.count()) {
                    throw new MailboxChangedException(path + ": message UID " + uid + " was expunged while it was read");
                }
                try (MailboxLock lock = readLock()) {
                    FileChannel ch = lock.channel();
                    verifyUnchanged(ch, now);
                    byte[] piece = ChannelIo.read(ch, textAt(now) + at, n, path.toString());
                    System.arraycopy(piece, 0, b, off, piece.length);
                    return piece.length;
                }
            }
        };
    }

    /** Message {@code msgno}'s header as c-client presents it (status headers out) and the blank line after it. */
    private byte[] keptHeader(FileChannel ch, int msgno) throws IOException {
        long headerAt = index.start(msgno) + index.fromLength(msgno);
        byte[] kept = HeaderFilter.kept(ChannelIo.read(ch, headerAt, index.headerLength(msgno), path.toString()));
        byte[] head = java.util.Arrays.copyOf(kept, kept.length + 1);
        head[kept.length] = '\n';
        return head;
    }

    /** Where message {@code msgno}'s text begins (after its From_ line and header). */
    private long textAt(int msgno) {
        return index.start(msgno) + index.fromLength(msgno) + index.headerLength(msgno);
    }

    /** {@link #writeMessage} into memory, for messages known to be small. */
    public byte[] message(int msgno, Quoting unquote) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream((int) Math.min(index.size(msgno), 1 << 24));
        writeMessage(msgno, b, unquote);
        return b.toByteArray();
    }

    /** The message's From_ line (mmdf: its ^A line and From_ line), checked to be still where the index has it. */
    private byte[] verifyUnchanged(FileChannel ch, int msgno) throws IOException {
        long size = ChannelIo.size(ch, path.toString());
        long start = index.start(msgno);
        int len = index.fromLength(msgno);
        byte[] b = size >= index.end(msgno) ? ChannelIo.read(ch, start, len, path.toString()) : new byte[0];
        if (b.length != len || !options.framing().startsMessage(b, 0, b.length)) {
            throw changed(msgno);
        }
        return b;
    }

    private MailboxChangedException changed(int msgno) {
        return new MailboxChangedException(path + ": message " + msgno + " is no longer at offset " + index.start(msgno)
                + ": the mailbox was rewritten by another program; reopen it");
    }

    /**
     * The application read or changed messages: the session is not idle (for the kiss-of-death policy
     * "idle", ipop3d's). New mail read by itself (the folder's push) does not count.
     */
    private void used() {
        if (session != null) {
            session.markActivity();
        }
    }

    private void requireWritable() {
        ensureOpen();
        if (session == null) {
            throw new IllegalStateException(path + " is open read-only");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
    }

    /** Writes pending changes (as c-client does at close) and ends the session. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (session != null && session.state() == SessionLock.State.HELD && index.needsCheckpoint()) {
                rewrite(false);
            }
        } finally {
            closed = true;
            if (session != null) {
                session.close();
            }
        }
    }
}
