package org.spoollock.store.mbx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.spoollock.lock.Backoff;
import org.spoollock.lock.LockSecurityException;
import org.spoollock.lock.LockWait;
import org.spoollock.lock.NoSuchMailboxException;
import org.spoollock.posix.Posix;
import org.spoollock.posix.PosixException;
import org.spoollock.posix.Stat;
import org.spoollock.session.SessionLock;
import org.spoollock.store.AbstractMailbox;
import org.spoollock.store.Changes;
import org.spoollock.store.MailboxChangedException;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.MessageIndex;
import org.spoollock.store.StorageException;
import org.spoollock.store.StoreOptions;

/**
 * An mbx mailbox opened as c-client's mbx driver opens one (mbx_open, mbx_parse, mbx_ping): a shared
 * flock on the file for as long as it is open (several sessions at once; an expunge that cannot make it
 * exclusive only marks messages expunged), and the lock file {@code /tmp/.<dev>.<ino>} exclusive around
 * each parse ("parse/append permission"). While the shared flock is held nobody compacts the file, so
 * the offsets read stay good. This version reads: flags, keywords, expunge and append are refused with
 * that reason (c-client's own tools, or {@code spoollock copy} into another format, change it).
 */
final class MbxMailbox extends AbstractMailbox {
    private final Posix posix = Posix.get();
    private final Path path;
    private final StoreOptions options;
    private final int fd;
    private final Stat stat;
    private final FileChannel ch;
    private final MbxIndex index = new MbxIndex();
    private long mtimeSeen;
    private long lastPidSeen;
    private boolean closed;

    private MbxMailbox(MbxDriver driver, MailboxRef ref, StoreOptions options, int fd, Stat stat, FileChannel ch) {
        super(driver, ref);
        this.path = ref.path();
        this.options = options;
        this.fd = fd;
        this.stat = stat;
        this.ch = ch;
    }

    static MbxMailbox open(MbxDriver driver, MailboxRef ref, boolean readWrite, StoreOptions options) throws IOException {
        Path path = ref.path();
        if (readWrite) {
            throw new StorageException(StorageException.Category.INVALID_INPUT, path + " is an mbx mailbox, which this"
                    + " version of spoollock reads but does not change (flags, keywords, expunge, delivery): copy it into"
                    + " another format with spoollock copy, or change it with c-client's tools");
        }
        Posix posix = Posix.get();
        int fd;
        try {
            fd = posix.open(path.toString(), Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_NONBLOCK | Posix.O_CLOEXEC, 0);
        } catch (NoSuchFileException e) {
            throw new NoSuchMailboxException("mailbox " + path + " does not exist", e);
        } catch (PosixException.SymlinkException e) {
            throw new LockSecurityException("mailbox " + path + " is a symbolic link; refusing to follow it");
        }
        MbxMailbox m = null;
        try {
            Stat st = posix.fstat(fd, path.toString());
            if (!st.isRegularFile()) {
                throw new LockSecurityException("mailbox " + path + " is a " + st.typeName() + ", not a file");
            }
            FileChannel ch = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ);
            m = new MbxMailbox(driver, ref, options, fd, st, ch);
            // mbx_open: parse permission first, then the shared flock (so an exclusive holder, which takes the
            // same permission before it goes exclusive, is never overtaken), then let go of the permission
            try (SessionLock permission = SessionLock.acquireExclusive(path, options.session().directory(),
                    options.timeout())) {
                m.flockShared();
            }
            m.parse();
            return m;
        } catch (IOException | RuntimeException e) {
            if (m != null) {
                m.close();
            } else {
                posix.closeQuietly(fd);
            }
            throw e;
        }
    }

    private void flockShared() throws IOException {
        LockWait.until(() -> posix.flock(fd, Posix.LOCK_SH | Posix.LOCK_NB, path.toString()), "flock", path, stat,
                Backoff.deadlineAfter(options.timeout()));
    }

    /** New messages and the flags others changed, under the parse permission (mbx_ping). */
    private int parse() throws IOException {
        try (SessionLock permission = SessionLock.acquireExclusive(path, options.session().directory(), options.timeout())) {
            Stat now = posix.fstat(fd, path.toString());
            int before = index.count();
            int added = index.parse(ch, now.size(), path.toString());
            MbxFileHeader h = MbxFileHeader.parse(readAt(0, MbxFileHeader.SIZE), path.toString());
            // another session changed flags (the file's mtime moved, or the last flag writer is another
            // process): read every known message's status again, as mbx_ping's flag check does
            if (before > 0 && (now.mtimeNanos() != mtimeSeen || h.lastPid() != lastPidSeen)) {
                rereadFlags(before);
            }
            mtimeSeen = now.mtimeNanos();
            lastPidSeen = h.lastPid();
            if (index.warning() != null) {
                System.getLogger(MbxMailbox.class.getName()).log(System.Logger.Level.WARNING, index.warning());
            }
            return added;
        }
    }

    private void rereadFlags(int known) throws IOException {
        for (int n = 1; n <= known; n++) {
            long at = index.textOffset(n) - MbxMessageHeader.FLAGS_FROM_END;
            byte[] b = readAt(at, 14);
            if (b[0] != ';' || b[13] != '-') {
                throw new MailboxChangedException(path + ": the flags of message " + n + " at offset " + at
                        + " are no longer where they were; reopen the mailbox");
            }
            String s = new String(b, 1, 12, java.nio.charset.StandardCharsets.US_ASCII);
            int system = Integer.parseInt(s.substring(8), 16);
            if ((system & MbxMessageHeader.EXPUNGED) != 0) {
                throw new MailboxChangedException(path + ": message " + n + " (UID " + index.uid(n) + ") was expunged"
                        + " by another session; reopen the mailbox");
            }
            index.setFlags(n, Long.parseLong(s.substring(0, 8), 16), system);
        }
    }

    private byte[] readAt(long at, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) <= 0) {
                throw new java.io.EOFException(path + ": " + length + " bytes at offset " + at + " end early");
            }
        }
        return b.array();
    }

    @Override
    public boolean readWrite() {
        return false;
    }

    @Override
    public Status status() {
        return new Status(index.count(), index.uidValidity(), index.uidLast() + 1, index.keywordNames().stream()
                .filter(java.util.Objects::nonNull).toList(), false);
    }

    @Override
    public MessageIndex index() {
        return index;
    }

    @Override
    public long size(int msgno) {
        return index.size(msgno);
    }

    @Override
    public int sync() throws IOException {
        ensureOpen();
        return parse();
    }

    @Override
    public byte[] content(int msgno) throws IOException {
        ensureOpen();
        long size = index.size(msgno);
        if (size > Integer.MAX_VALUE - 16) {
            throw new StorageException(StorageException.Category.INVALID_INPUT, path + ": message " + msgno + " is "
                    + size + " bytes, too large to read whole; read it in pieces");
        }
        return readAt(index.textOffset(msgno), (int) size);
    }

    @Override
    public ContentReader contentReader(int msgno) throws IOException {
        ensureOpen();
        long start = index.textOffset(msgno);
        long length = index.size(msgno);
        return new ContentReader() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public int read(long position, byte[] b, int off, int len) throws IOException {
                if (position >= length) {
                    return -1;
                }
                int n = (int) Math.min(len, length - position);
                return ch.read(ByteBuffer.wrap(b, off, n), start + position);
            }
        };
    }

    @Override
    public void readParts(int from, int to, PartsSink sink) throws IOException {
        ensureOpen();
        byte[] none = new byte[0];
        byte[] buf = new byte[1 << 16];
        for (int n = from; n <= to; n++) {
            long size = index.size(n);
            if (size > buf.length) {
                buf = new byte[(int) Math.min(Integer.MAX_VALUE - 16, Math.max(size, buf.length * 2L))];
            }
            ByteBuffer b = ByteBuffer.wrap(buf, 0, (int) size);
            long at = index.textOffset(n);
            while (b.hasRemaining()) {
                if (ch.read(b, at + b.position()) <= 0) {
                    throw new java.io.EOFException(path + ": message " + n + " ends early");
                }
            }
            sink.message(n, null, none, buf, 0, (int) size);
        }
    }

    @Override
    protected Changes.Committed apply(List<Changes.Change> changes) throws IOException {
        throw new StorageException(StorageException.Category.INVALID_INPUT, path + " is open read-only");
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new java.nio.channels.ClosedChannelException();
        }
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            try {
                ch.close();
            } finally {
                posix.closeQuietly(fd); // the shared flock goes with the descriptor
            }
        }
    }
}
