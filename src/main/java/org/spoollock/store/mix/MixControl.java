package org.spoollock.store.mix;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.lock.Backoff;
import org.spoollock.lock.LockWait;
import org.spoollock.posix.ChannelIo;
import org.spoollock.posix.Posix;
import org.spoollock.posix.PosixException;
import org.spoollock.posix.Stat;
import org.spoollock.store.BadMailboxException;
import org.spoollock.store.StoreOptions;
import org.spoollock.store.journal.Journal;
import org.spoollock.store.journal.Recovery;

/**
 * A mix mailbox's control files held for a change, as mix_parse holds them for a writer: {@code .mixindex}
 * then {@code .mixstatus} flocked exclusively (the caller has {@code .mixmeta} open read-write and flocked
 * shared, which also keeps c-client's burp away). While they are held, nobody else reads or writes the index,
 * the status or the metadata (c-client changes the metadata only with the index locked).
 *
 * <p>c-client rewrites each control file in place (write, then ftruncate), so a writer killed half-way leaves
 * it cut short or mixed; and it keeps the files' inodes, which its flocks are on. Here each file's new bytes go
 * through the rewrite journal ({@link Journal}): applied in place, all or nothing, a killed writer's finished by
 * the next holder ({@link #lock} runs {@link Recovery} first). The files change in the order that keeps every
 * moment in between a mailbox c-client reads: message data (fsynced) before the metadata that raises the last
 * UID and names a new data file, those before the index records that point at the data, the index before the
 * status (a message without a status record is recent with no flags; a status record for a UID the index no
 * longer has is passed over).
 */
final class MixControl implements AutoCloseable {
    /** MIXDATAROLL: a data file that would grow past this with the next message is rolled to a new one. */
    static final long DATA_ROLL = 1 << 20;

    private final Posix posix = Posix.get();
    private final Path dir;
    private final FileChannel meta;
    private final int metaFd;
    private int indexFd = -1;
    private int statusFd = -1;
    private FileChannel index;
    private FileChannel status;
    private Stat indexStat;
    private Stat statusStat;
    private byte[] metaBytes;
    private byte[] indexBytes;
    private byte[] statusBytes;
    private MixIndex parsed;

    private MixControl(Path dir, int metaFd, FileChannel meta) {
        this.dir = dir;
        this.metaFd = metaFd;
        this.meta = meta;
    }

    /**
     * Locks the index and the status exclusively (waiting up to the options' timeout), finishes a killed
     * writer's journals, and parses the three files. {@code meta} is the caller's read-write channel on
     * {@code .mixmeta} (descriptor {@code metaFd}).
     */
    static MixControl lock(Path dir, int metaFd, FileChannel meta, StoreOptions options) throws IOException {
        MixControl c = new MixControl(dir, metaFd, meta);
        try {
            c.indexFd = c.openLocked(".mixindex", options);
            c.statusFd = c.openLocked(".mixstatus", options);
            c.index = channel(c.indexFd);
            c.status = channel(c.statusFd);
            c.indexStat = c.posix.fstat(c.indexFd, c.file(".mixindex").toString());
            c.statusStat = c.posix.fstat(c.statusFd, c.file(".mixstatus").toString());
            c.recover(".mixmeta", meta, c.posix.fstat(metaFd, c.file(".mixmeta").toString()));
            c.recover(".mixindex", c.index, c.indexStat);
            c.recover(".mixstatus", c.status, c.statusStat);
            c.metaBytes = readAll(meta, c.file(".mixmeta"));
            c.indexBytes = readAll(c.index, c.file(".mixindex"));
            c.statusBytes = readAll(c.status, c.file(".mixstatus"));
            c.parsed = MixIndex.parse(dir, c.metaBytes, c.indexBytes, c.statusBytes);
            MixMailbox.checkData(dir, c.parsed);
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Whether a killed writer left a journal beside any control file. */
    static boolean recoveryNeeded(Path dir) {
        return Recovery.needed(dir.resolve(".mixmeta")) || Recovery.needed(dir.resolve(".mixindex"))
                || Recovery.needed(dir.resolve(".mixstatus"));
    }

    /** Recovery.run logs what it finished; an uncommitted journal alone is left to the next rewrite, as for every format. */
    private void recover(String name, FileChannel ch, Stat st) throws IOException {
        Path p = file(name);
        if (Recovery.needed(p)) {
            Recovery.run(p, ch, st, (buf, from, length) -> 0);
        }
    }

    private int openLocked(String name, StoreOptions options) throws IOException {
        String path = file(name).toString();
        int fd;
        try {
            fd = posix.open(path, Posix.O_RDWR | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new BadMailboxException(dir + " is not a whole mix mailbox: it has no " + name);
        } catch (PosixException.SymlinkException e) {
            throw new org.spoollock.lock.LockSecurityException(path + " is a symbolic link; refusing to follow it");
        }
        try {
            Stat st = posix.fstat(fd, path);
            LockWait.until(() -> posix.flock(fd, Posix.LOCK_EX | Posix.LOCK_NB, path), "flock", file(name), st,
                    Backoff.deadlineAfter(options.timeout()));
            return fd;
        } catch (IOException | RuntimeException e) {
            posix.closeQuietly(fd);
            throw e;
        }
    }

    private static FileChannel channel(int fd) throws IOException {
        return FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    static byte[] readAll(FileChannel ch, Path name) throws IOException {
        long size = ChannelIo.size(ch, name.toString());
        if (size > (1 << 30)) {
            throw new BadMailboxException(name + ": " + size + " bytes, too large for a mix control file");
        }
        return ChannelIo.read(ch, 0, (int) size, name.toString());
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    Path dir() {
        return dir;
    }

    /** The three files as they are now; change it, then {@link #write} what changed. */
    MixIndex index() {
        return parsed;
    }

    /**
     * Appends message texts (each with its {@code :msg:} line) to the newest data file, as mix_data_open
     * chooses it: rolled to a new file (named by a new modseq, created exclusively, the old one's mode) when the
     * file is shorter than the index says or the first message would take it past 1 MiB. Fsynced (and the
     * directory, for a new file). Returns the file number and where the first record starts.
     */
    long[] appendData(List<byte[]> records) throws IOException {
        MixIndex x = parsed;
        long file = x.newFile();
        long curEnd = 0;
        if (x.count() > 0 && x.message(x.count()).file() == file) {
            MixIndex.Message last = x.message(x.count());
            curEnd = last.pos() + last.headerOffset() + last.size();
        }
        int mode = 0600;
        long size;
        FileChannel ch;
        Path p = MixMailbox.dataFile(dir, file);
        boolean created = false;
        try {
            ch = curEnd > 0 ? FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    // the newest file gone (as c-client's mix_data_open, made again), private as a mailbox is
                    : FileChannel.open(p, java.util.Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE, java.nio.file.LinkOption.NOFOLLOW_LINKS),
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw ChannelIo.translate("open", p.toString(), e);
        }
        try {
            size = ChannelIo.size(ch, p.toString());
            mode = posix.stat(p.toString()).mode() & 07777;
            long first = records.isEmpty() ? 0 : records.get(0).length;
            if (curEnd > size || (size > 0 && size + first > DATA_ROLL)) {
                if (curEnd > size) {
                    System.getLogger(MixControl.class.getName()).log(System.Logger.Level.WARNING, "short mix message file "
                            + p + " (" + curEnd + " > " + size + "), rolling");
                }
                ch.close();
                while (true) {
                    file = MixIndex.modseq(file);
                    p = MixMailbox.dataFile(dir, file);
                    try {
                        ch = FileChannel.open(p, java.util.Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                                StandardOpenOption.CREATE_NEW), java.nio.file.attribute.PosixFilePermissions
                                .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
                        break;
                    } catch (FileAlreadyExistsException e) {
                        // taken (a killed writer's): the next number
                    }
                }
                created = true;
                size = 0;
                posix.chmod(p.toString(), mode);
            }
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        try (FileChannel out = ch) {
            int total = 0;
            for (byte[] r : records) {
                total += r.length;
            }
            ByteBuffer all = ByteBuffer.allocate(total);
            for (byte[] r : records) {
                all.put(r);
            }
            all.flip();
            try {
                ChannelIo.write(out, all, size, p.toString());
                ChannelIo.force(out, p.toString());
            } catch (IOException e) {
                ChannelIo.truncate(out, size, p.toString()); // c-client: "revert all writes to file"
                throw e;
            }
        }
        if (created) {
            Journal.syncDirectory(dir);
        }
        x.newFile(file);
        return new long[] {file, size};
    }

    /**
     * Writes each control file whose bytes the parsed state now differs in: the metadata, then the index,
     * then the status, each through the rewrite journal (fsynced, all or nothing).
     */
    void write() throws IOException {
        byte[] m = parsed.metaBytes();
        byte[] i = parsed.indexBytes();
        byte[] s = parsed.statusBytes();
        metaBytes = rewrite(".mixmeta", meta, posix.fstat(metaFd, file(".mixmeta").toString()), metaBytes, m);
        indexBytes = rewrite(".mixindex", index, indexStat, indexBytes, i);
        statusBytes = rewrite(".mixstatus", status, statusStat, statusBytes, s);
    }

    private byte[] rewrite(String name, FileChannel ch, Stat st, byte[] old, byte[] neu) throws IOException {
        List<Journal.Patch> patches = patches(old, neu);
        if (!patches.isEmpty() || old.length != neu.length) {
            Journal.rewrite(file(name), ch, st, old.length, neu.length, patches);
        }
        return neu;
    }

    /** The runs of {@code neu} that differ from {@code old} (runs closer than 64 bytes joined), and its growth. */
    static List<Journal.Patch> patches(byte[] old, byte[] neu) {
        List<Journal.Patch> out = new ArrayList<>();
        int common = Math.min(old.length, neu.length);
        int i = 0;
        while (i < common) {
            if (old[i] == neu[i]) {
                i++;
                continue;
            }
            int start = i;
            int end = i + 1;
            int j = end;
            while (j < common && j - end < 64) {
                if (old[j] != neu[j]) {
                    end = j + 1;
                }
                j++;
            }
            if (j >= common && neu.length > old.length) {
                end = neu.length; // joined with the growth
            }
            out.add(Journal.Patch.literal(start, java.util.Arrays.copyOfRange(neu, start, end)));
            i = end;
        }
        int grownFrom = Math.max(common, i);
        if (neu.length > grownFrom) {
            out.add(Journal.Patch.literal(grownFrom, java.util.Arrays.copyOfRange(neu, grownFrom, neu.length)));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        try {
            if (status != null) {
                status.close();
            }
            if (index != null) {
                index.close();
            }
        } finally {
            posix.closeQuietly(statusFd); // the flocks go with the descriptors
            posix.closeQuietly(indexFd);
        }
    }
}
