package org.spoollock.store.mbx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.lock.Backoff;
import org.spoollock.lock.LockSecurityException;
import org.spoollock.lock.LockWait;
import org.spoollock.lock.NoSuchMailboxException;
import org.spoollock.posix.Posix;
import org.spoollock.posix.PosixException;
import org.spoollock.posix.Stat;
import org.spoollock.session.SessionLock;
import org.spoollock.posix.ChannelIo;
import org.spoollock.store.AbstractMailbox;
import org.spoollock.store.MailboxInUseException;
import org.spoollock.store.NewMessage;
import org.spoollock.store.journal.AppendIntent;
import org.spoollock.store.journal.Journal;
import org.spoollock.store.journal.Recovery;
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
 * the offsets read stay good. A read-write open marks what it read as seen by a session (UIDs given,
 * the old bit set, the header's last UID), as mbx_parse does; flags and keywords are written in place
 * (21 bytes per message, the header for a new keyword and the last flag writer's PID); an expunge marks
 * the messages expunged (0x8000), as c-client's expunge does when it cannot have the file alone, and
 * c-client's next read-write session that has it alone reclaims the space; an append goes at the end
 * with a note ({@link AppendIntent}) that cuts out a half-written one after a kill, and is fsynced.
 */
final class MbxMailbox extends AbstractMailbox {
    private final Posix posix = Posix.get();
    private final Path path;
    private final StoreOptions options;
    private final int fd;
    private final Stat stat;
    private final FileChannel ch;
    private final boolean readWrite;
    private final MbxIndex index = new MbxIndex();
    private long changeSeen;
    private long lastPidSeen;
    private boolean closed;

    private MbxMailbox(MbxDriver driver, MailboxRef ref, StoreOptions options, int fd, Stat stat, FileChannel ch,
                       boolean readWrite) {
        super(driver, ref);
        this.readWrite = readWrite;
        this.path = ref.path();
        this.options = options;
        this.fd = fd;
        this.stat = stat;
        this.ch = ch;
    }

    /** The file, opened as c-client opens it (no symbolic link, a regular file), or created with an empty header. */
    private static int openFile(Path path, boolean write, boolean create) throws IOException {
        Posix posix = Posix.get();
        if (create && !java.nio.file.Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try {
                MbxFiles.create(path);
            } catch (StorageException e) {
                if (e.category() != StorageException.Category.EXISTS) {
                    throw e;
                }
                // made by another delivery meanwhile: delivered to as it is
            }
        }
        try {
            return posix.open(path.toString(), (write ? Posix.O_RDWR : Posix.O_RDONLY) | Posix.O_NOFOLLOW | Posix.O_NONBLOCK
                    | Posix.O_CLOEXEC, 0);
        } catch (NoSuchFileException e) {
            throw new NoSuchMailboxException("mailbox " + path + " does not exist (create it first, or --create)", e);
        } catch (PosixException.SymlinkException e) {
            throw new LockSecurityException("mailbox " + path + " is a symbolic link; refusing to follow it");
        }
    }

    private static MbxMailbox attach(MbxDriver driver, MailboxRef ref, boolean readWrite, boolean create,
                                     StoreOptions options) throws IOException {
        Path path = ref.path();
        int fd = openFile(path, readWrite, create);
        try {
            Stat st = Posix.get().fstat(fd, path.toString());
            if (!st.isRegularFile()) {
                throw new LockSecurityException("mailbox " + path + " is a " + st.typeName() + ", not a file");
            }
            FileChannel ch = readWrite ? FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ,
                    StandardOpenOption.WRITE) : FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ);
            return new MbxMailbox(driver, ref, options, fd, st, ch, readWrite);
        } catch (IOException | RuntimeException e) {
            Posix.get().closeQuietly(fd);
            throw e;
        }
    }

    static MbxMailbox open(MbxDriver driver, MailboxRef ref, boolean readWrite, StoreOptions options) throws IOException {
        MbxMailbox m = attach(driver, ref, readWrite, false, options);
        try {
            // mbx_open: parse permission first, then the shared flock (so an exclusive holder, which takes the
            // same permission before it goes exclusive, is never overtaken), then let go of the permission
            try (SessionLock permission = m.permission()) {
                m.flockShared();
                m.recoverHolding();
            }
            m.parse();
            return m;
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Appends without a session, as mbx_append: a shared flock on the file, then the parse/append permission
     * (a killed append of ours finished first); returns where the messages start.
     */
    static long append(MbxDriver driver, MailboxRef ref, List<MbxFiles.Out> messages, boolean create, boolean fsync,
                       StoreOptions options, MbxIndex known) throws IOException {
        try (MbxMailbox m = attach(driver, ref, true, create, options)) {
            m.flockShared();
            try (SessionLock permission = m.permission()) {
                m.recoverHolding();
                return MbxFiles.appendHolding(ref.path(), m.ch, m.fd, m.stat, messages, fsync, known);
            }
        }
    }

    /** Finishes a killed append of ours, if any, and nothing else (no session: new mail stays new). */
    static void recover(MbxDriver driver, MailboxRef ref, StoreOptions options) throws IOException {
        if (!Recovery.needed(ref.path())) {
            return;
        }
        try (MbxMailbox m = attach(driver, ref, true, false, options)) {
            m.flockShared();
            try (SessionLock permission = m.permission()) {
                m.recoverHolding();
            }
        }
    }

    private SessionLock permission() throws IOException {
        return SessionLock.acquireExclusive(path, options.session().directory(), options.timeout());
    }

    /**
     * Under the parse permission: a note left by a killed append of ours is finished (the half message cut
     * out), which moves bytes, so only if nobody else has the file open (the flock made exclusive for it).
     */
    private void recoverHolding() throws IOException {
        if (!Recovery.needed(path)) {
            return;
        }
        if (!readWrite) {
            throw new MailboxInUseException(path + ": an interrupted spoollock append is waiting to be finished; open"
                    + " the mailbox read-write (any spoollock write command) to finish it");
        }
        if (!posix.flock(fd, Posix.LOCK_EX | Posix.LOCK_NB, path.toString())) {
            posix.flock(fd, Posix.LOCK_SH, path.toString());
            throw new MailboxInUseException(path + ": an interrupted spoollock append is waiting to be finished, and"
                    + " another process has the mailbox open; try again when it is closed");
        }
        try {
            Recovery.run(path, ch, stat, MbxFiles.MESSAGE_START);
        } finally {
            posix.flock(fd, Posix.LOCK_SH, path.toString());
        }
    }

    private void flockShared() throws IOException {
        LockWait.until(() -> posix.flock(fd, Posix.LOCK_SH | Posix.LOCK_NB, path.toString()), "flock", path, stat,
                Backoff.deadlineAfter(options.timeout()));
    }

    /** New messages and the flags others changed, under the parse permission (mbx_ping). */
    private int parse() throws IOException {
        try (SessionLock permission = permission()) {
            return parseHolding();
        }
    }

    /**
     * mbx_parse under the permission the caller holds: new messages read; in a read-write open, those no
     * session had seen are given their UIDs and the old bit, and the header its last UID, fsynced.
     */
    private int parseHolding() throws IOException {
        Stat now = posix.fstat(fd, path.toString());
        int before = index.count();
        int added = index.parse(ch, now.size(), path.toString());
        MbxFileHeader h = MbxFileHeader.parse(readAt(0, MbxFileHeader.SIZE), path.toString());
        // another session changed flags (the file changed, or the last flag writer is another process): read
        // every known message's status again, as mbx_ping's flag check does. The change time, not c-client's
        // mtime: c-client sets the mtime with utime() in whole seconds, so two changes within a second look
        // alike by it, while any write or utime() moves the change time.
        if (before > 0 && (now.ctimeNanos() != changeSeen || h.lastPid() != lastPidSeen)) {
            rereadFlags(before);
        }
        if (readWrite && index.dirty()) {
            for (int n : index.unseen()) {
                writeStatus(n, index.userFlags(n), index.systemFlags(n) | MbxMessageHeader.OLD);
                index.numbered(n);
            }
            ChannelIo.write(ch, index.header(h.lastPid()).format(), 0, path.toString());
            ChannelIo.force(ch, path.toString());
            now = posix.fstat(fd, path.toString());
        }
        changeSeen = now.ctimeNanos();
        lastPidSeen = h.lastPid();
        if (index.warning() != null && added > 0) {
            System.getLogger(MbxMailbox.class.getName()).log(System.Logger.Level.WARNING, index.warning());
        }
        return added;
    }

    /** mbx_update_status: the 21 bytes {@code UUUUUUUUSSSS-IIIIIIII} of message {@code n}, the index too. */
    private void writeStatus(int n, long user, int system) throws IOException {
        long at = index.textOffset(n) - MbxMessageHeader.FLAGS_FROM_END;
        byte[] old = readAt(at, 14);
        if (old[0] != ';' || old[13] != '-') {
            throw new MailboxChangedException(path + ": the flags of message " + n + " at offset " + at
                    + " are not where they were; reopen the mailbox");
        }
        ChannelIo.write(ch, MbxMessageHeader.status(user, system, index.uid(n)).getBytes(
                java.nio.charset.StandardCharsets.US_ASCII), at + 1, path.toString());
        index.setFlags(n, user, system);
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
        return readWrite;
    }

    @Override
    public Status status() {
        List<String> names = index.keywordNames().stream().filter(java.util.Objects::nonNull).toList();
        return new Status(index.count(), index.uidValidity(), index.uidLast() + 1, names,
                readWrite && index.keywordNames().size() < MbxFileHeader.MAX_KEYWORDS);
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
        ensureOpen();
        if (!readWrite) {
            throw new StorageException(StorageException.Category.INVALID_INPUT, path + " is open read-only");
        }
        List<Integer> expunged = new ArrayList<>();
        List<Long> given = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            Changes.Change c = changes.get(i);
            if (c instanceof Changes.SetFlags f) {
                setFlags(f);
            } else if (c instanceof Changes.Append) {
                List<NewMessage> run = appendRun(changes, i);
                i += run.size() - 1;
                long at;
                try (SessionLock permission = permission()) {
                    parseHolding(); // mail before ours is read (and marked) first, as any parse of this session's
                    at = MbxFiles.appendHolding(path, ch, fd, stat, MbxFiles.encode(run), true, index);
                    parseHolding(); // ours: UIDs given and marked seen by this session, as c-client's append + ping
                }
                given.addAll(uidsOfAppended(at, run.size(), index.count(), index::offset, index::uid));
            } else if (c instanceof Changes.Expunge) {
                expunged.addAll(expunge());
            }
        }
        return new Changes.Committed(List.copyOf(expunged), List.copyOf(given));
    }

    /** mbx_flag: under the parse permission, each message's status read from the file, changed, written; fsynced. */
    private void setFlags(Changes.SetFlags f) throws IOException {
        try (SessionLock permission = permission()) {
            parseHolding();
            MbxFileHeader h = MbxFileHeader.parse(readAt(0, MbxFileHeader.SIZE), path.toString());
            int before = index.keywordNames().size();
            long add = index.keywordBits(f.addKeywords(), path.toString());
            long remove = 0;
            for (String k : f.removeKeywords()) {
                List<String> names = index.keywordNames();
                for (int j = 0; j < names.size(); j++) {
                    if (k.equalsIgnoreCase(names.get(j))) {
                        remove |= 1L << j;
                    }
                }
            }
            int pid = posix.getpid();
            if (index.keywordNames().size() != before || h.lastPid() != pid) {
                // new keyword lines, and this process as the last flag writer: other sessions read flags again
                ChannelIo.write(ch, index.header(pid).format(), 0, path.toString());
            }
            int sysAdd = MbxFiles.systemBits(f.add());
            int sysRemove = MbxFiles.systemBits(f.remove());
            for (int n : f.msgnos()) {
                long at = index.textOffset(n) - MbxMessageHeader.FLAGS_FROM_END;
                byte[] now = readAt(at, 14);
                String s = new String(now, 1, 12, java.nio.charset.StandardCharsets.US_ASCII);
                long user = (Long.parseLong(s.substring(0, 8), 16) | add) & ~remove;
                int system = ((Integer.parseInt(s.substring(8), 16) | sysAdd) & ~sysRemove) | MbxMessageHeader.OLD;
                writeStatus(n, user, system);
            }
            ChannelIo.force(ch, path.toString());
            Stat st = posix.fstat(fd, path.toString());
            changeSeen = st.ctimeNanos();
            lastPidSeen = pid;
        }
    }

    /**
     * Expunges every message flagged \Deleted (as the file says now), as c-client's mbx_expunge does: with
     * the file to ourselves (the shared flock made exclusive: no other session, ours or c-client's, has it
     * open) the file is compacted, the messages kept moved down over the gaps (those others hid before
     * too) and the file cut short, through a journal, so a crash leaves it before or after; otherwise they
     * are marked expunged (0x8000) for the next session alone to squeeze out. Fsynced. Returns their
     * numbers; the others keep their UIDs.
     */
    private List<Integer> expunge() throws IOException {
        try (SessionLock permission = permission()) {
            parseHolding();
            List<Integer> gone = new ArrayList<>();
            for (int n = 1; n <= index.count(); n++) {
                if ((index.systemFlags(n) & MbxMessageHeader.DELETED) != 0) {
                    gone.add(n);
                }
            }
            if (gone.isEmpty()) {
                return gone;
            }
            String name = path.toString();
            if (posix.flock(fd, Posix.LOCK_EX | Posix.LOCK_NB, name)) {
                try {
                    compactHolding(gone);
                } finally {
                    posix.flock(fd, Posix.LOCK_SH, name);
                }
            } else {
                for (int n : gone) {
                    writeStatus(n, index.userFlags(n), index.systemFlags(n) | MbxMessageHeader.EXPUNGED);
                }
                ChannelIo.force(ch, name);
                index.remove(gone);
            }
            changeSeen = posix.fstat(fd, name).ctimeNanos();
            return gone;
        }
    }

    /** The compaction itself (mbx_rewrite), holding the permission and the exclusive flock. */
    private void compactHolding(List<Integer> gone) throws IOException {
        String name = path.toString();
        java.util.Set<Integer> dropped = new java.util.HashSet<>(gone);
        List<Journal.Patch> patches = new ArrayList<>();
        long cur = MbxFileHeader.SIZE;
        for (int n = 1; n <= index.count(); n++) {
            if (dropped.contains(n)) {
                continue;
            }
            long len = index.lineLength(n) + index.size(n);
            if (index.offset(n) != cur) {
                patches.add(Journal.Patch.copy(cur, index.offset(n), len));
            }
            cur += len;
        }
        long old = ChannelIo.size(ch, name);
        Journal.rewrite(path, ch, posix.fstat(fd, name), old, cur, patches);
        index.remove(gone);
        index.compacted();
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
