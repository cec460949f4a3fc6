package org.spoollock.store.tenex;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.spoollock.lock.Backoff;
import org.spoollock.lock.LockSecurityException;
import org.spoollock.lock.LockWait;
import org.spoollock.lock.NoSuchMailboxException;
import org.spoollock.posix.ChannelIo;
import org.spoollock.posix.Posix;
import org.spoollock.posix.PosixException;
import org.spoollock.posix.ReadAhead;
import org.spoollock.posix.Stat;
import org.spoollock.session.SessionLock;
import org.spoollock.store.Flags;
import org.spoollock.store.MailboxInUseException;
import org.spoollock.store.journal.AppendIntent;
import org.spoollock.store.journal.Journal;
import org.spoollock.store.journal.Recovery;

/**
 * A tenex or mtx mailbox opened with c-client's locks for these formats (tenex.c, mtx.c):
 * <ul>
 * <li>open and new-mail parse: the session lock {@code /tmp/.<dev>.<ino>} shared, and a shared flock
 *     on the mailbox that is kept while it is open; the session lock is released after parsing;
 * <li>flag changes: the 12 flag digits of a message rewritten in place, fsynced;
 * <li>append: shared flock on the mailbox and the session lock exclusive;
 * <li>expunge: the session lock exclusive, then the flock made exclusive only if nobody else has the
 *     mailbox open (LOCK_NB); otherwise "in use by another process", as c-client refuses.
 * </ul>
 * An expunge compacts the file in place through a {@link Journal}, so a crash leaves it before or
 * after; an append is cut out if its process dies midway ({@link AppendIntent}).
 */
public final class TenexMailbox implements AutoCloseable {
    private final Path path;
    private final Options options;
    private final boolean readWrite;
    private final Posix posix = Posix.get();
    private final int fd;
    private final Stat stat;
    private final FileChannel ch;
    private TenexIndex index;
    private boolean closed;

    /** Session-lock directory (c-client's /tmp), lock timeout, and the keyword list for the format. */
    public record Options(Path sessionDirectory, Duration timeout, List<String> keywords) {
        public static Options defaults() {
            return new Options(Path.of("/tmp"), Duration.ofSeconds(360), TenexKeywords.configured());
        }

        public Options withSessionDirectory(Path d) {
            return new Options(d, timeout, keywords);
        }

        public Options withTimeout(Duration t) {
            return new Options(sessionDirectory, t, keywords);
        }

        public Options withKeywords(List<String> k) {
            return new Options(sessionDirectory, timeout, List.copyOf(k));
        }
    }

    /** Where a message of these formats starts: a header line that parses (for cutting out a killed append). */
    static AppendIntent.MessageStart headerLineStart(TenexFormat f) {
        return (b, from, n) -> {
            for (int skip = 0; skip <= 1; skip++) {
                int s = from + skip;
                if (skip == 1 && (n <= from || b[from] != '\n')) {
                    break;
                }
                int nl = s;
                while (nl < n && b[nl] != '\n') {
                    nl++;
                }
                if (nl < n) {
                    int end = f == TenexFormat.MTX && nl > s && b[nl - 1] == '\r' ? nl - 1 : nl;
                    try {
                        TenexHeader.parse(b, s, end);
                        return skip + 1;
                    } catch (TenexHeader.BadHeader e) {
                        // not a header line
                    }
                }
            }
            return 0;
        };
    }

    private TenexMailbox(Path path, Options options, boolean readWrite, int fd, Stat stat, FileChannel ch,
                         TenexFormat format) {
        this.path = path;
        this.options = options;
        this.readWrite = readWrite;
        this.fd = fd;
        this.stat = stat;
        this.ch = ch;
        this.index = new TenexIndex(format, options.keywords());
    }

    private static int openFile(Posix posix, Path path, boolean write, boolean create) throws IOException {
        int flags = (write ? Posix.O_RDWR : Posix.O_RDONLY) | Posix.O_NOFOLLOW | Posix.O_NONBLOCK | Posix.O_CLOEXEC
                | (create ? Posix.O_CREAT : 0);
        try {
            return posix.open(path.toString(), flags, 0600);
        } catch (NoSuchFileException e) {
            throw new NoSuchMailboxException("mailbox " + path + " does not exist (create it first, or --create)", e);
        } catch (PosixException.SymlinkException e) {
            throw new LockSecurityException("mailbox " + path + " is a symbolic link; refusing to follow it");
        }
    }

    /** Opens read-only or read-write (c-client's tenex_open / mtx_open). */
    public static TenexMailbox open(Path path, TenexFormat format, boolean readWrite, Options options) throws IOException {
        Posix posix = Posix.get();
        int fd = openFile(posix, path, readWrite, false);
        TenexMailbox m = null;
        try {
            Stat st = posix.fstat(fd, path.toString());
            if (!st.isRegularFile()) {
                throw new LockSecurityException("mailbox " + path + " is a " + st.typeName() + ", not a file");
            }
            FileChannel ch = channel(fd, readWrite);
            m = new TenexMailbox(path, options, readWrite, fd, st, ch, format);
            m.flock(Posix.LOCK_SH, options.timeout());
            for (int attempt = 0; ; attempt++) {
                // recovery takes the exclusive session lock, so never under our shared one (that waited
                // for itself until the timeout)
                if (readWrite) {
                    m.recoverIfNeeded();
                }
                try (SessionLock session = SessionLock.acquireShared(path, options.sessionDirectory(), options.timeout())) {
                    // Under the shared session lock a note or journal is a dead writer's (live ones hold
                    // the exclusive one while theirs exists), e.g. of a writer we waited for
                    if (Recovery.needed(path)) {
                        if (!readWrite) {
                            throw new MailboxInUseException(path + ": an interrupted spoollock write is waiting to be"
                                    + " finished; open the mailbox read-write (any spoollock write command) to finish it");
                        }
                        if (attempt < 3) {
                            continue;
                        }
                    }
                    m.parseNew();
                }
                return m;
            }
        } catch (IOException | RuntimeException e) {
            if (m != null) {
                m.close();
            } else {
                posix.closeQuietly(fd);
            }
            throw e;
        }
    }

    /**
     * Finishes a killed writer's work, if any, and nothing else: no session is opened, so new messages
     * stay new (a read-write open marks them seen by a session, as c-client's does).
     */
    public static void recoverOnly(Path path, TenexFormat format, Options options) throws IOException {
        Posix posix = Posix.get();
        int fd = openFile(posix, path, true, false);
        TenexMailbox m = null;
        try {
            Stat st = posix.fstat(fd, path.toString());
            if (!st.isRegularFile()) {
                throw new LockSecurityException("mailbox " + path + " is a " + st.typeName() + ", not a file");
            }
            m = new TenexMailbox(path, options, true, fd, st, channel(fd, true), format);
            m.flock(Posix.LOCK_SH, options.timeout());
            m.recoverIfNeeded();
        } finally {
            if (m != null) {
                m.close();
            } else {
                posix.closeQuietly(fd);
            }
        }
    }

    private static FileChannel channel(int fd, boolean write) throws IOException {
        Path self = Path.of("/proc/self/fd/" + fd);
        return write ? FileChannel.open(self, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(self, StandardOpenOption.READ);
    }

    /** flock on our descriptor, waited for as the mailbox lock waits (a timeout names the holders). */
    private void flock(int op, Duration timeout) throws IOException {
        LockWait.until(() -> posix.flock(fd, op | Posix.LOCK_NB, path.toString()), "flock", path, stat,
                Backoff.deadlineAfter(timeout));
    }

    /**
     * A crash left a journal or a half append: finishing it moves bytes, so it waits until nobody
     * else has the mailbox open (an exclusive flock under the exclusive session lock).
     */
    private void recoverIfNeeded() throws IOException {
        if (!Recovery.needed(path)) {
            return;
        }
        try (SessionLock ex = SessionLock.acquireExclusive(path, options.sessionDirectory(), options.timeout())) {
            // seen without a lock, the note may have been a live appender's, gone now that we have the lock
            if (!Recovery.needed(path)) {
                return;
            }
            if (!posix.flock(fd, Posix.LOCK_EX | Posix.LOCK_NB, path.toString())) {
                posix.flock(fd, Posix.LOCK_SH, path.toString());
                throw new MailboxInUseException(path + ": an interrupted spoollock write is waiting to be finished, and"
                        + " another process has the mailbox open; try again when it is closed");
            }
            try {
                Recovery.run(path, ch, stat, headerLineStart(index.format()));
            } finally {
                posix.flock(fd, Posix.LOCK_SH, path.toString());
            }
        }
    }

    /** Parses what was appended since; a read-write session marks new messages old in the file, as c-client. */
    private int parseNew() throws IOException {
        int before = index.count();
        index.parse(ch, ChannelIo.size(ch, path.toString()), path);
        if (readWrite) {
            boolean wrote = false;
            for (int m = before + 1; m <= index.count(); m++) {
                if (index.recent(m)) {
                    writeBits(m, index.rawUserBits(m), index.rawSystemBits(m) | TenexHeader.OLD);
                    wrote = true;
                }
            }
            if (wrote) {
                ChannelIo.force(ch, path.toString());
            }
        }
        return index.count() - before;
    }

    /** New mail, under the shared session lock. Returns how many messages arrived. */
    public int refresh() throws IOException {
        ensureOpen();
        try (SessionLock session = SessionLock.acquireShared(path, options.sessionDirectory(), options.timeout())) {
            return parseNew();
        }
    }

    public TenexIndex index() {
        return index;
    }

    public boolean readWrite() {
        return readWrite;
    }

    Options options() {
        return options;
    }

    public Path path() {
        return path;
    }

    /** RFC822 size of a message (reads a tenex message once; see {@link TenexIndex#size}). */
    public long size(int msgno) throws IOException {
        return index.size(msgno, ch, path.toString());
    }

    /** The message as stored (tenex: LF line ends; mtx: CRLF). */
    public void writeMessage(int msgno, OutputStream out) throws IOException {
        ensureOpen();
        long at = index.start(msgno) + index.headerLength(msgno);
        long left = index.storedSize(msgno);
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(1 << 16, Math.max(1, left)));
        while (left > 0) {
            b.clear().limit((int) Math.min(b.capacity(), left));
            int n = ch.read(b, at);
            if (n <= 0) {
                throw new java.io.EOFException(path + ": message " + msgno + " ends early");
            }
            out.write(b.array(), 0, n);
            at += n;
            left -= n;
        }
    }

    /** What {@link #visit} hands over: the message as stored, in {@code buffer[offset .. offset + length)}, valid during the call. */
    @FunctionalInterface
    public interface TextVisitor {
        void message(int msgno, byte[] buffer, int offset, int length) throws IOException;
    }

    /** Reads messages {@code from..to} front to back in chunks of a few MB (a migration's fastest way through). */
    public void visit(int from, int to, TextVisitor visitor) throws IOException {
        ensureOpen();
        if (to < from) {
            return;
        }
        ReadAhead file = new ReadAhead(ch, ChannelIo.size(ch, path.toString()), 4 << 20, path.toString());
        for (int m = from; m <= to; m++) {
            long size = index.storedSize(m);
            if (size > Integer.MAX_VALUE - 64) {
                throw new IOException(path + ": message " + m + " is over 2 GB");
            }
            ReadAhead.Window w = file.at(index.start(m) + index.headerLength(m), (int) size);
            visitor.message(m, w.array(), w.offset(), w.length());
        }
    }

    private void writeBits(int msgno, int user, int system) throws IOException {
        long at = index.start(msgno) + index.headerLength(msgno) - index.format().flagsFromEnd();
        ChannelIo.write(ch, TenexHeader.flagDigits(user, system).getBytes(StandardCharsets.US_ASCII), at, path.toString());
        index.setBits(msgno, user, system);
    }

    /**
     * Sets and clears flags and keywords (only configured keywords: see {@link TenexKeywords}),
     * written in place and fsynced, as c-client's tenex_flag.
     */
    public void setFlags(Collection<Integer> msgnos, int add, int remove, List<String> addKeywords,
                         List<String> removeKeywords) throws IOException {
        requireWritable();
        int addBits = index.userBitsFor(addKeywords);
        int removeBits = index.userBitsFor(removeKeywords);
        for (int m : msgnos) {
            int system = (index.rawSystemBits(m) | (add & Flags.ALL)) & ~(remove & Flags.ALL);
            int user = (index.rawUserBits(m) | addBits) & ~removeBits;
            if (system != index.rawSystemBits(m) || user != index.rawUserBits(m)) {
                writeBits(m, user, system);
            }
        }
        ChannelIo.force(ch, path.toString());
        Stat now = posix.fstat(fd, path.toString());
        posix.setTimes(fd, System.currentTimeMillis() * 1_000_000L, now.mtimeNanos(), path.toString());
    }

    /** Removes the messages flagged \Deleted; returns how many. Refused while others have the mailbox open. */
    public int expunge() throws IOException {
        requireWritable();
        String name = path.toString();
        try (SessionLock ex = SessionLock.acquireExclusive(path, options.sessionDirectory(), options.timeout())) {
            if (!posix.flock(fd, Posix.LOCK_EX | Posix.LOCK_NB, name)) {
                posix.flock(fd, Posix.LOCK_SH, name);
                throw new MailboxInUseException(path + ": can't expunge because mailbox is in use by another process");
            }
            try {
                parseNew();
                List<Journal.Patch> patches = new ArrayList<>();
                long cur = 0;
                int gone = 0;
                boolean moved = false;
                for (int m = 1; m <= index.count(); m++) {
                    long len = index.end(m) - index.start(m);
                    if ((index.flags(m) & Flags.DELETED) != 0) {
                        gone++;
                        moved = true;
                        continue;
                    }
                    if (moved && cur != index.start(m)) {
                        patches.add(Journal.Patch.copy(cur, index.start(m), len));
                    }
                    cur += len;
                }
                if (gone == 0) {
                    return 0;
                }
                long old = ChannelIo.size(ch, name);
                Journal.rewrite(path, ch, stat, old, cur, patches);
                index = new TenexIndex(index.format(), options.keywords());
                index.parse(ch, ChannelIo.size(ch, name), path);
                return gone;
            } finally {
                posix.flock(fd, Posix.LOCK_SH, name);
            }
        }
    }

    /**
     * Appends messages (already whole RFC822 messages, any line ends) with their flags, keywords and
     * internal date, as c-client's tenex_append / mtx_append write them, under a shared flock and the
     * exclusive session lock, and fsyncs (c-client only flushes). On a write error the file is cut
     * back. Refuses a file that is not empty and not in this format.
     */
    public static long append(Path path, TenexFormat format, List<byte[]> messages, int flags, List<String> keywords,
                              ZonedDateTime date, boolean create, Options options) throws IOException {
        List<NewMessage> all = new ArrayList<>(messages.size());
        for (byte[] m : messages) {
            all.add(new NewMessage(m, flags, keywords, date));
        }
        return append(path, format, all, create, options);
    }

    /** A message to append, with its flags, keywords and internal date. */
    public record NewMessage(byte[] content, int flags, List<String> keywords, ZonedDateTime date) {
    }

    /**
     * Appends messages each with its own flags, keywords and date, under one set of locks, one write, one
     * fsync. Returns the offset where the first one starts.
     */
    public static long append(Path path, TenexFormat format, List<NewMessage> messages, boolean create, Options options)
            throws IOException {
        TenexBatch batch = new TenexBatch(format, options.keywords());
        for (NewMessage m : messages) {
            batch.add(new byte[0], m.content(), 0, m.content().length, m.flags(), m.keywords(), m.date());
        }
        return append(path, format, batch, create, true, options);
    }

    /**
     * Appends a batch of messages already encoded for {@code format}, under one set of locks and one
     * write; with {@code fsync} also one fsync, else the caller syncs later (a migration syncs its
     * target once, at the end: a process killed meanwhile loses nothing, a power cut may). Returns the
     * offset where the first message starts.
     */
    public static long append(Path path, TenexFormat format, TenexBatch messages, boolean create, boolean fsync,
                              Options options) throws IOException {
        Posix posix = Posix.get();
        String name = path.toString();
        int fd = openFile(posix, path, true, create);
        TenexMailbox m = null;
        try {
            Stat st = posix.fstat(fd, name);
            if (!st.isRegularFile()) {
                throw new LockSecurityException("mailbox " + path + " is a " + st.typeName() + ", not a file");
            }
            m = new TenexMailbox(path, options, true, fd, st, channel(fd, true), format);
            m.flock(Posix.LOCK_SH, options.timeout());
            m.recoverIfNeeded();
            org.spoollock.store.WriteEvent event = org.spoollock.store.WriteEvents.begin();
            long at;
            try (SessionLock ex = SessionLock.acquireExclusive(path, options.sessionDirectory(), options.timeout())) {
                at = m.appendLocked(messages, fsync);
            }
            org.spoollock.store.WriteEvents.commit(event, path.toString(), "append", -1, messages.view().remaining());
            return at;
        } finally {
            if (m != null) {
                m.close();
            } else {
                posix.closeQuietly(fd);
            }
        }
    }

    private long appendLocked(TenexBatch messages, boolean fsync) throws IOException {
        String name = path.toString();
        long old = ChannelIo.size(ch, name);
        if (old > 0) {
            byte[] head = ChannelIo.read(ch, 0, (int) Math.min(old, 256), name);
            if (headerLineStart(index.format()).at(head, 0, head.length) != 1) {
                throw new TenexIndex.BadTenexMailboxException(name + ": not a " + index.format().driver()
                        + " mailbox (its first line is not an internal header); refusing to write into it");
            }
        }
        Stat before = posix.fstat(fd, name);
        AppendIntent.appendNoted(path, ch, fd, stat, old, messages.view(), fsync);
        // c-client: atime a second before now (new mail), mtime kept
        posix.setTimes(fd, (System.currentTimeMillis() / 1000 - 1) * 1_000_000_000L, before.mtimeNanos(), name);
        return old;
    }

    private void requireWritable() {
        ensureOpen();
        if (!readWrite) {
            throw new IllegalStateException(path + " is open read-only");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
    }

    /** Releases the flock and closes the mailbox. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            ch.close();
        } finally {
            posix.closeQuietly(fd); // closing drops our flock
        }
    }
}
