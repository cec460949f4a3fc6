package org.spoollock.store.mix;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.spoollock.lock.Backoff;
import org.spoollock.lock.LockSecurityException;
import org.spoollock.lock.LockWait;
import org.spoollock.lock.NoSuchMailboxException;
import org.spoollock.posix.Posix;
import org.spoollock.posix.Stat;
import org.spoollock.store.AbstractMailbox;
import org.spoollock.store.BadMailboxException;
import org.spoollock.store.Changes;
import org.spoollock.store.MailboxChangedException;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.MessageIndex;
import org.spoollock.store.NewMessage;
import org.spoollock.store.StorageException;
import org.spoollock.store.StoreOptions;

/**
 * A mix mailbox (a directory) opened as c-client's mix driver opens one: {@code .mixmeta} open (read-write
 * for a read-write open) and flocked shared for as long as it is open (c-client's expunge reclaims data files,
 * "burps", only when it can make that lock exclusive, so nothing moves under us); for each read a shared flock
 * on {@code .mixindex} then on {@code .mixstatus}, as mix_parse takes them when read-only; for each change both
 * exclusive ({@link MixControl}). Messages are read from the data files {@code .mix<file>} at the index's
 * offsets, after checking the {@code :msg:} line names the message's UID, as mix_header does. A read-write
 * open marks the messages it read as seen by a session (the old bit in their status), as mix_ping does;
 * appends go to the newest data file; an expunge drops the messages' records from the index and the status and
 * leaves their bytes in the data files for c-client's next session alone to burp.
 */
final class MixMailbox extends AbstractMailbox {
    private final Posix posix = Posix.get();
    private final Path dir;
    private final StoreOptions options;
    private final int metaFd;
    private final Stat metaStat;
    private final boolean readWrite;
    private final FileChannel meta;
    private MixIndex index;
    private final Map<Long, FileChannel> data = new HashMap<>();
    private boolean closed;

    private MixMailbox(MixDriver driver, MailboxRef ref, StoreOptions options, int metaFd, Stat metaStat,
                       boolean readWrite, FileChannel meta) {
        super(driver, ref);
        this.dir = ref.path();
        this.options = options;
        this.metaFd = metaFd;
        this.metaStat = metaStat;
        this.readWrite = readWrite;
        this.meta = meta;
    }

    static MixMailbox open(MixDriver driver, MailboxRef ref, boolean readWrite, StoreOptions options) throws IOException {
        MixMailbox m = attach(driver, ref, readWrite, options);
        try {
            if (readWrite) {
                // mix_ping with status updates allowed: a killed writer's work finished, and the messages no
                // session had seen marked old (they stay recent to this open)
                m.change((c, x) -> { });
            } else {
                if (MixControl.recoveryNeeded(m.dir)) {
                    recover(driver, ref, options);
                }
                m.index = m.parse();
            }
            return m;
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** .mixmeta opened (read-write for a writer) and flocked shared, as mix_open. */
    static MixMailbox attach(MixDriver driver, MailboxRef ref, boolean readWrite, StoreOptions options)
            throws IOException {
        Path dir = ref.path();
        if (Files.isSymbolicLink(dir)) {
            throw new LockSecurityException("mailbox " + dir + " is a symbolic link; refusing to follow it");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchMailboxException("mix mailbox " + dir + " does not exist (a directory with .mixmeta)", null);
        }
        Posix posix = Posix.get();
        int fd;
        try {
            fd = posix.open(dir.resolve(".mixmeta").toString(), (readWrite ? Posix.O_RDWR : Posix.O_RDONLY)
                    | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0);
        } catch (NoSuchFileException e) {
            throw new BadMailboxException(dir + " is not a mix mailbox: it has no .mixmeta");
        }
        MixMailbox m = null;
        try {
            Stat st = posix.fstat(fd, dir.resolve(".mixmeta").toString());
            FileChannel meta = readWrite ? FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ,
                    StandardOpenOption.WRITE) : null;
            m = new MixMailbox(driver, ref, options, fd, st, readWrite, meta);
            m.lock(fd, ".mixmeta", st);
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

    /** Finishes a killed writer's journals, under the writer's locks, and nothing else. */
    static void recover(MixDriver driver, MailboxRef ref, StoreOptions options) throws IOException {
        if (!MixControl.recoveryNeeded(ref.path())) {
            return;
        }
        try (MixMailbox m = attach(driver, ref, true, options);
             MixControl c = MixControl.lock(m.dir, m.metaFd, m.meta, options)) {
            c.index(); // MixControl.lock recovered
        }
    }

    /** Delivery without a session, as mix_append: the messages appended, recent to the next session. */
    static List<Long> append(MixDriver driver, MailboxRef ref, List<MixAppend.Out> messages, StoreOptions options,
                             long uidValidityIfEmpty) throws IOException {
        try (MixMailbox m = attach(driver, ref, true, options);
             MixControl c = MixControl.lock(m.dir, m.metaFd, m.meta, options)) {
            if (uidValidityIfEmpty > 0 && c.index().count() == 0 && c.index().uidLast() == 0) {
                c.index().uidValidity(uidValidityIfEmpty);
            }
            List<Long> uids = MixAppend.holding(c, messages, false);
            c.write();
            return uids;
        }
    }

    /** What one change does to the control files' state, under their locks. */
    private interface Step {
        void apply(MixControl c, MixIndex x) throws IOException;
    }

    /**
     * One change as every writer of c-client's makes it: the control files locked and read (a killed
     * writer's work finished first), the new messages this open did not know marked seen, {@code step},
     * the files written, the new state kept. A message this open knew that another session expunged
     * meanwhile says to reopen ({@link #adopt}).
     */
    private void change(Step step) throws IOException {
        int before = index == null ? 0 : index.count();
        try (MixControl c = MixControl.lock(dir, metaFd, meta, options)) {
            MixIndex x = index == null ? c.index() : adopt(c.index());
            markSeen(x, before + 1);
            step.apply(c, x);
            c.write();
            index = x;
        }
    }

    /** Marks messages {@code from} on that no session had seen as old, as mix_parse with status updates does. */
    private void markSeen(MixIndex x, int from) {
        long seq = x.statusSeq();
        boolean any = false;
        for (int n = from; n <= x.count(); n++) {
            if ((x.systemFlags(n) & MixIndex.OLD) == 0) {
                if (!any) {
                    seq = MixIndex.modseq(x.statusSeq());
                    any = true;
                }
                x.setStatus(n, x.userFlags(n), x.systemFlags(n) | MixIndex.OLD, seq);
            }
        }
        if (any) {
            x.sequences(x.metaSeq(), x.indexSeq(), seq);
        }
    }

    private void lock(int fd, String file, Stat st) throws IOException {
        LockWait.until(() -> posix.flock(fd, Posix.LOCK_SH | Posix.LOCK_NB, dir.resolve(file).toString()), "flock",
                dir.resolve(file), st, Backoff.deadlineAfter(options.timeout()));
    }

    /** mix_parse, read-only: the index locked shared, the metadata read, then the status locked shared. */
    private MixIndex parse() throws IOException {
        String ix = dir.resolve(".mixindex").toString();
        String sx = dir.resolve(".mixstatus").toString();
        int ifd = posix.open(ix, Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0);
        try {
            lock(ifd, ".mixindex", posix.fstat(ifd, ix));
            byte[] meta = readAll(metaFd, dir.resolve(".mixmeta").toString());
            byte[] index = readAll(ifd, ix);
            int sfd = posix.open(sx, Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0);
            try {
                lock(sfd, ".mixstatus", posix.fstat(sfd, sx));
                MixIndex x = MixIndex.parse(dir, meta, index, readAll(sfd, sx));
                checkData(dir, x);
                return x;
            } finally {
                posix.closeQuietly(sfd);
            }
        } finally {
            posix.closeQuietly(ifd);
        }
    }

    private byte[] readAll(int fd, String name) throws IOException {
        try (FileChannel ch = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ)) {
            return MixControl.readAll(ch, Path.of(name));
        }
    }

    /**
     * Every message's data file is there and holds it whole (mix_parse's "Missing mix data file" and "message
     * truncated": c-client repairs the latter only in a read-write session; we refuse, naming the place).
     */
    static void checkData(Path dir, MixIndex x) throws IOException {
        Map<Long, Long> sizes = new HashMap<>();
        for (int n = 1; n <= x.count(); n++) {
            MixIndex.Message msg = x.message(n);
            Path f = dataFile(dir, msg.file());
            Long size = sizes.get(msg.file());
            if (size == null) {
                if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    throw new BadMailboxException(f + ": missing mix data file (message UID " + msg.uid() + ")");
                }
                size = Files.size(f);
                sizes.put(msg.file(), size);
            }
            long end;
            try {
                end = Math.addExact(Math.addExact(msg.pos(), msg.headerOffset()), msg.size());
            } catch (ArithmeticException e) {
                end = -1;
            }
            if (msg.pos() < 0 || msg.headerOffset() < 0 || msg.size() < 0 || end < 0 || end > size) {
                throw new BadMailboxException(f + ": message UID " + msg.uid() + " runs past the end of the file (its"
                        + " index record puts it at " + msg.pos() + " + " + msg.headerOffset() + ", " + msg.size()
                        + " bytes; the file has " + size + ")");
            }
        }
    }

    /** {@code .mix<8 hex digits>}, or {@code .mix} for file 0 (c-client's experimental layout). */
    private Path dataFile(long file) {
        return dataFile(dir, file);
    }

    static Path dataFile(Path dir, long file) {
        return dir.resolve(file == 0 ? ".mix" : String.format(".mix%08x", file));
    }

    private FileChannel channel(long file) throws IOException {
        FileChannel ch = data.get(file);
        if (ch == null) {
            ch = FileChannel.open(dataFile(file), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            data.put(file, ch);
        }
        return ch;
    }

    @Override
    public boolean readWrite() {
        return readWrite;
    }

    @Override
    public Status status() {
        return new Status(index.count(), index.uidValidity(), index.uidLast() + 1, index.keywordNames(),
                readWrite && index.keywordNames().size() < MixIndex.MAX_KEYWORDS);
    }

    @Override
    public MessageIndex index() {
        return index;
    }

    @Override
    public long size(int msgno) {
        return index.message(msgno).size();
    }

    /**
     * New mail: the files read again (a read-write open marks what is new to it as seen); a message this open
     * knew that is gone (expunged by another session) says to reopen.
     */
    @Override
    public int sync() throws IOException {
        ensureOpen();
        int before = index.count();
        if (readWrite) {
            change((c, x) -> { });
        } else {
            index = adopt(parse());
        }
        return index.count() - before;
    }

    /** A new read of the files, if it still holds every message this open knows, in order; else reopen. */
    private MixIndex adopt(MixIndex now) throws MailboxChangedException {
        if (!now.extendsFrom(index)) {
            throw new MailboxChangedException(dir + ": messages this open knew were expunged by another session;"
                    + " reopen the mailbox");
        }
        return now;
    }

    @Override
    public byte[] content(int msgno) throws IOException {
        ensureOpen();
        MixIndex.Message m = index.message(msgno);
        if (m.size() > Integer.MAX_VALUE - 16) {
            throw new StorageException(StorageException.Category.INVALID_INPUT, dir + ": message " + msgno + " is "
                    + m.size() + " bytes, too large to read whole");
        }
        FileChannel ch = channel(m.file());
        String token = ":msg:" + String.format("%08x", m.uid()) + ":";
        byte[] head = read(ch, m.pos(), token.length(), m);
        if (!new String(head, StandardCharsets.ISO_8859_1).equalsIgnoreCase(token)) {
            throw new BadMailboxException(dataFile(m.file()) + ": no \"" + token + "\" at offset " + m.pos()
                    + " where the index puts message UID " + m.uid());
        }
        return read(ch, m.pos() + m.headerOffset(), (int) m.size(), m);
    }

    private byte[] read(FileChannel ch, long at, int length, MixIndex.Message m) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) <= 0) {
                throw new BadMailboxException(dataFile(m.file()) + ": message UID " + m.uid() + " runs past the end of"
                        + " the file (" + (at + length) + " bytes wanted)");
            }
        }
        return b.array();
    }

    @Override
    public void readParts(int from, int to, PartsSink sink) throws IOException {
        byte[] none = new byte[0];
        for (int n = from; n <= to; n++) {
            byte[] c = content(n);
            sink.message(n, null, none, c, 0, c.length);
        }
    }

    @Override
    protected Changes.Committed apply(List<Changes.Change> changes) throws IOException {
        ensureOpen();
        if (!readWrite) {
            throw new StorageException(StorageException.Category.INVALID_INPUT, dir + " is open read-only");
        }
        List<Integer> expunged = new ArrayList<>();
        List<Long> given = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            Changes.Change ch = changes.get(i);
            List<NewMessage> run = ch instanceof Changes.Append ? appendRun(changes, i) : List.of();
            i += Math.max(0, run.size() - 1);
            change((c, x) -> {
                if (ch instanceof Changes.SetFlags f) {
                    MixAppend.setFlags(x, f, dir);
                } else if (ch instanceof Changes.Append) {
                    given.addAll(MixAppend.holding(c, MixAppend.encode(run), true));
                } else if (ch instanceof Changes.Expunge) {
                    expunged.addAll(MixAppend.expunge(x));
                }
            });
        }
        return new Changes.Committed(List.copyOf(expunged), List.copyOf(given));
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
            for (FileChannel ch : data.values()) {
                ch.close();
            }
            if (meta != null) {
                meta.close();
            }
            posix.closeQuietly(metaFd); // the shared flock goes with it
        }
    }
}
