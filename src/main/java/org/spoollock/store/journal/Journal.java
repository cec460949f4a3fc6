package org.spoollock.store.journal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import org.spoollock.posix.ChannelIo;
import org.spoollock.posix.Posix;
import org.spoollock.posix.Stat;
import org.spoollock.posix.Faults;

/**
 * A redo journal that makes an in-place rewrite of a mailbox (expunge, flag changes, cutting out a
 * killed delivery) all-or-nothing while keeping the mailbox's inode, which c-client's session lock
 * and every open reader depend on.
 *
 * <p>The new bytes of every changed region are written to {@code .<mailbox>.spoollock-journal} in
 * the mailbox's directory, fsynced, and committed by rename; only then is the mailbox touched:
 * patched (the space for growth reserved beforehand, so a full disk fails before anything changes),
 * truncated, fsynced; then the journal is removed. A crash before the commit leaves the mailbox as it was (the uncommitted
 * file is discarded); a crash after it is finished by whoever next opens the mailbox with
 * spoollock, under the exclusive locks, by applying the journal again (patches are absolute bytes,
 * so applying twice is harmless).
 *
 * <p>Messages another program appended after a crash (once our dead lock was broken) are kept: the
 * journal records the file size the rewrite started from ({@code extent}); for a shrinking rewrite a
 * checksum of the bytes between the new size and that extent tells whether the truncation had
 * happened; a growing rewrite first writes a small chunk at its new end, whose presence tells whether
 * the file had reached its new size. Bytes beyond are moved to follow the rewritten mailbox.
 */
public final class Journal {
    private static final String MAGIC_V1 = "spoollock-journal 1";
    /** Version 2 adds the pre-image block CRCs ({@link PreImage}); version 1 journals are still read. */
    private static final String MAGIC = "spoollock-journal 2";

    /**
     * New bytes for {@code [offset, offset + length)}: {@code data}, or {@code length} bytes copied at
     * commit time from {@code source} in {@code from} (null: the mailbox itself).
     */
    public record Patch(long offset, byte[] data, long source, long length, FileChannel from) {
        public static Patch literal(long offset, byte[] data) {
            return new Patch(offset, data, -1, data.length, null);
        }

        public static Patch copy(long offset, long source, long length) {
            return new Patch(offset, null, source, length, null);
        }

        public Patch from(FileChannel channel) {
            return new Patch(offset, data, source, length, channel);
        }
    }

    public final long dev;
    public final long ino;
    /** File size the rewrite starts from: bytes beyond it (or beyond the new size, once reached) belong to later writers. */
    public final long extent;
    /** Size after the rewrite. */
    public final long newSize;
    /** CRC32C of the mailbox's bytes [newSize, extent) before the rewrite (they stay until the truncation). */
    public final long tailCrc;
    /** CRC32C of up to 64 KiB just before the first patch, which no rewrite touches: tells a stale journal. */
    public final long guardCrc;
    public final long guardFrom;
    public final List<Patch> patches;
    /**
     * CRC32C of each block of {@code [firstChange, min(extent, newSize))} before the rewrite, the blocks
     * cut as {@link PreImage#cuts} says; null in a version 1 journal.
     */
    final int[] blockCrcs;

    Journal(long dev, long ino, long extent, long newSize, long tailCrc, long guardFrom, long guardCrc, List<Patch> patches,
            int[] blockCrcs) {
        this.dev = dev;
        this.ino = ino;
        this.extent = extent;
        this.newSize = newSize;
        this.tailCrc = tailCrc;
        this.guardFrom = guardFrom;
        this.guardCrc = guardCrc;
        this.patches = patches;
        this.blockCrcs = blockCrcs;
    }

    public static Path pathFor(Path mailbox) {
        Path abs = mailbox.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + ".spoollock-journal");
    }

    public static Path appendIntentFor(Path mailbox) {
        Path abs = mailbox.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + ".spoollock-append");
    }

    /** Where the first patch starts (everything before is unchanged). */
    public long firstChange() {
        return firstChange(patches, newSize);
    }

    private static long firstChange(List<Patch> patches, long newSize) {
        long p = newSize;
        for (Patch x : patches) {
            p = Math.min(p, x.offset());
        }
        return p;
    }

    /**
     * The journalled rewrite every format's in-place rewrite uses (an mbox checkpoint or expunge, a tenex
     * expunge): plan the patches, commit the journal (fsynced, then renamed into place), apply it, discard
     * it, with the fault points a kill is tested at between the steps. A crash anywhere leaves the mailbox
     * before (journal not committed) or after (the next open replays it). The caller holds the exclusive lock.
     */
    public static void rewrite(Path mailbox, FileChannel ch, Stat st, long extent, long newSize, List<Patch> patches)
            throws IOException {
        org.spoollock.store.WriteEvent event = org.spoollock.store.WriteEvents.begin();
        Journal journal = plan(ch, st, extent, newSize, patches, mailbox.toString());
        Faults.point("rewrite.planned");
        Journal committed = journal.commitOrExplain(mailbox, ch);
        Faults.point("rewrite.committed");
        committed.applyCommitted(mailbox, ch);
        discard(mailbox);
        org.spoollock.store.WriteEvents.commit(event, mailbox.toString(), "rewrite", -1, newSize);
    }

    /** Builds a journal for patches of the mailbox open on {@code ch}, computing its checksums from the file. */
    public static Journal plan(FileChannel ch, Stat st, long extent, long newSize, List<Patch> patches, String name)
            throws IOException {
        long first = firstChange(patches, newSize);
        long guardFrom = Math.max(0, first - 65536);
        long guardCrc = crc(ch, guardFrom, first, name);
        long tailCrc = newSize < extent ? crc(ch, newSize, extent, name) : 0;
        if (newSize > extent) {
            patches = new ArrayList<>(patches);
            patches.sort(java.util.Comparator.comparingLong(Patch::offset));
        }
        return new Journal(st.dev(), st.ino(), extent, newSize, tailCrc, guardFrom, guardCrc, patches,
                PreImage.crcs(ch, blockCuts(patches, extent, newSize), name));
    }

    /**
     * Where the pre-image blocks begin and end: over the old bytes the rewrite replaces or keeps,
     * {@code [firstChange, min(extent, newSize))}; none when the rewrite only appends.
     */
    private static long[] blockCuts(List<Patch> patches, long extent, long newSize) {
        return PreImage.cuts(firstChange(patches, newSize), Math.min(extent, newSize), patches,
                growthChunk(patches, extent, newSize));
    }

    /** Whether this journal has pre-image blocks to compare (version 2, and a rewrite that replaces bytes). */
    public boolean hasBlocks() {
        return blockCrcs != null && blockCrcs.length > 0;
    }

    /**
     * Whether the mailbox open on {@code ch} is, by its content, the file this journal was written for,
     * caught anywhere between not yet patched and fully patched ({@link PreImage}). False when this
     * journal has no blocks to compare (version 1, or a rewrite that only appends).
     */
    public boolean contentVouches(FileChannel ch, FileChannel journal, String name) throws IOException {
        return hasBlocks() && PreImage.vouches(ch, journal, blockCuts(patches, extent, newSize), blockCrcs, patches, name);
    }

    public static long crc(FileChannel ch, long from, long to, String name) throws IOException {
        CRC32C c = new CRC32C();
        // sized to the range when it is small: every append checks the 4 KiB before it, and a 64 KiB
        // buffer each time was the largest allocation of a one-message append (JFR)
        ByteBuffer b = ByteBuffer.allocate((int) Math.max(0, Math.min(1 << 16, to - from)));
        long p = from;
        while (p < to) {
            b.clear().limit((int) Math.min(b.capacity(), to - p));
            int n = ChannelIo.readSome(ch, b, p, name);
            if (n <= 0) {
                break;
            }
            b.flip();
            c.update(b);
            p += n;
        }
        return c.getValue();
    }

    /**
     * Writes the journal next to the mailbox and commits it (fsync, rename, fsync of the directory).
     * Copy patches are filled from the mailbox now, streaming, so a large expunge needs no heap.
     * Returns the committed journal, whose copied bytes are read back from the journal file when it
     * is applied ({@link #applyCommitted}): the mailbox regions they came from get overwritten.
     */
    public Journal commit(Path mailbox, FileChannel mbox) throws IOException {
        return commit(mailbox, mbox, false);
    }

    /**
     * As {@link #commit(Path, FileChannel)}; {@code replacing}: the journal under the name is the one
     * being replayed, which this one (its patches and the bytes appended since) replaces ({@link Replay}).
     */
    Journal commit(Path mailbox, FileChannel mbox, boolean replacing) throws IOException {
        List<Patch> committed = new ArrayList<>(patches.size());
        Path fin = pathFor(mailbox);
        Path tmp = fin.resolveSibling(fin.getFileName() + ".tmp");
        String name = mailbox.toString();
        // a new file each time, private as the mailbox (NoteAccess): a killed rewrite's leftover is removed,
        // not reused with whatever mode it had, and a link put at the name is not followed
        Stat box = Posix.get().lstat(name);
        Files.deleteIfExists(tmp);
        try (FileChannel out = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                java.nio.file.LinkOption.NOFOLLOW_LINKS), NoteAccess.like(box.mode()))) {
            NoteAccess.giveToOwner(tmp, box);
            CRC32C crc = new CRC32C();
            long pos = 0;
            pos = put(out, pos, header(), crc, tmp);
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            for (Patch x : patches) {
                pos = put(out, pos, ("patch " + x.offset() + " " + x.length() + "\n").getBytes(StandardCharsets.US_ASCII),
                        crc, tmp);
                if (x.data() != null) {
                    committed.add(x);
                    pos = put(out, pos, x.data(), crc, tmp);
                } else {
                    committed.add(Patch.copy(x.offset(), pos, x.length()));
                    long done = 0;
                    while (done < x.length()) {
                        buf.clear().limit((int) Math.min(buf.capacity(), x.length() - done));
                        int n = ChannelIo.readSome(x.from() != null ? x.from() : mbox, buf, x.source() + done, name);
                        if (n <= 0) {
                            throw new java.io.EOFException(name + ": ends before offset " + (x.source() + x.length())
                                    + " while journaling a rewrite");
                        }
                        buf.flip();
                        crc.update(buf.duplicate());
                        ChannelIo.write(out, buf, pos, tmp.toString());
                        pos += n;
                        done += n;
                    }
                }
            }
            put(out, pos, ("end " + Long.toUnsignedString(crc.getValue()) + "\n").getBytes(StandardCharsets.US_ASCII),
                    null, tmp);
            ChannelIo.force(out, tmp.toString());
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        if (replacing) {
            Posix.get().rename(tmp.toString(), fin.toString());
        } else {
            place(mailbox, tmp, fin);
        }
        syncDirectory(fin.getParent());
        return new Journal(dev, ino, extent, newSize, tailCrc, guardFrom, guardCrc, committed, blockCrcs);
    }

    /**
     * Puts the written journal under its name. Where this client may believe a name absent that another
     * client made (NFS, FUSE), a killed rewriter's committed journal may be there unseen: rename would
     * replace it and its half-applied rewrite would never be finished. There the journal is linked,
     * which the server refuses if the name is taken (a link that succeeded but reported EEXIST, as an
     * NFS retransmission can, is told by the inode), and the temporary name removed.
     */
    private void place(Path mailbox, Path tmp, Path fin) throws IOException {
        Posix posix = Posix.get();
        if (!org.spoollock.lock.FileSystemInfo.forDevice(dev, mailbox, java.util.Set.of()).mayCacheAbsentNames()) {
            posix.rename(tmp.toString(), fin.toString());
            return;
        }
        if (posix.link(tmp.toString(), fin.toString()) != 0) {
            Stat ours = posix.lstat(tmp.toString());
            Stat there = posix.lstatIfExists(fin.toString());
            if (there == null || there.ino() != ours.ino() || there.dev() != ours.dev()) {
                posix.unlinkIfExists(tmp.toString());
                throw new org.spoollock.store.MailboxChangedException(mailbox + ": " + fin.getFileName() + " is there already: an"
                        + " interrupted rewrite is waiting to be finished (the next open finishes it); nothing"
                        + " changed, try again");
            }
        }
        posix.unlink(tmp.toString());
    }

    /**
     * {@link #commit}, and if that fails, removes what was written and says that nothing was changed
     * (the mailbox is not touched before the commit) and how much room the journal needed.
     */
    public Journal commitOrExplain(Path mailbox, FileChannel mbox) throws IOException {
        try {
            return commit(mailbox, mbox);
        } catch (org.spoollock.store.MailboxChangedException e) {
            throw e; // a journal found in the way (place): another writer's, not ours to discard
        } catch (IOException e) {
            discard(mailbox);
            throw new IOException(mailbox + ": cannot write the rewrite journal " + pathFor(mailbox) + " ("
                    + e.getMessage() + "; it needs " + bytes() + " bytes beside the mailbox); nothing was changed", e);
        }
    }

    /** Applies a journal this process has just committed ({@link #commit}) to the mailbox open on {@code ch}. */
    public long applyCommitted(Path mailbox, FileChannel ch) throws IOException {
        try (FileChannel jc = FileChannel.open(pathFor(mailbox), StandardOpenOption.READ)) {
            return apply(ch, mailbox.toString(), jc);
        }
    }

    private byte[] header() {
        byte[] text = (MAGIC + "\n" + "file " + dev + " " + ino + "\n" + "extent " + extent + "\n" + "size " + newSize + "\n"
                + "tail " + tailCrc + "\n" + "guard " + guardFrom + " " + guardCrc + "\n" + "blocks " + blockCrcs.length
                + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("patches " + patches.size() + "\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(text.length + 4 * blockCrcs.length + tail.length);
        b.put(text);
        for (int c : blockCrcs) {
            b.putInt(c);
        }
        return b.put(tail).array();
    }

    private static long put(FileChannel out, long pos, byte[] b, CRC32C crc, Path p) throws IOException {
        if (crc != null) {
            crc.update(b);
        }
        ChannelIo.write(out, b, pos, p.toString());
        return pos + b.length;
    }

    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            throw ChannelIo.translate("fsync", dir.toString(), e);
        }
    }

    /** Reads a committed journal; a damaged one is an error naming the file (it is never half-applied). */
    public static Journal read(Path file) throws IOException {
        long[] consumed = {0}; // bytes of the journal read so far: where each patch's data lies
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16))) {
            CRC32C crc = new CRC32C();
            String magic = line(in, crc, file, consumed);
            if (!MAGIC.equals(magic) && !MAGIC_V1.equals(magic)) {
                throw new CorruptJournalException(file + ": not a spoollock journal (first line \"" + magic + "\")");
            }
            long[] f = numbers(line(in, crc, file, consumed), "file", 2, file);
            long extent = numbers(line(in, crc, file, consumed), "extent", 1, file)[0];
            long size = numbers(line(in, crc, file, consumed), "size", 1, file)[0];
            long tail = numbers(line(in, crc, file, consumed), "tail", 1, file)[0];
            long[] guard = numbers(line(in, crc, file, consumed), "guard", 2, file);
            int[] blocks = null;
            if (MAGIC.equals(magic)) {
                long n = numbers(line(in, crc, file, consumed), "blocks", 1, file)[0];
                if (n < 0 || n > Integer.MAX_VALUE / 4) {
                    throw new CorruptJournalException(file + ": bad block count " + n);
                }
                byte[] packed = new byte[(int) n * 4];
                in.readFully(packed);
                crc.update(packed);
                consumed[0] += packed.length;
                blocks = new int[(int) n];
                ByteBuffer.wrap(packed).asIntBuffer().get(blocks);
            }
            long count = numbers(line(in, crc, file, consumed), "patches", 1, file)[0];
            List<Patch> patches = new ArrayList<>();
            byte[] buf = new byte[1 << 16];
            for (long i = 0; i < count; i++) {
                long[] p = numbers(line(in, crc, file, consumed), "patch", 2, file);
                if (p[0] < 0 || p[1] < 0) {
                    throw new CorruptJournalException(file + ": negative patch offset or length");
                }
                // the data stays in the journal file: a 1 GB rewrite is replayed without 1 GB of heap
                patches.add(Patch.copy(p[0], consumed[0], p[1]));
                long left = p[1];
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new java.io.EOFException();
                    }
                    crc.update(buf, 0, n);
                    consumed[0] += n;
                    left -= n;
                }
            }
            String end = line(in, null, file, consumed);
            if (!end.equals("end " + Long.toUnsignedString(crc.getValue()))) {
                throw new CorruptJournalException(file + ": checksum mismatch (\"" + end + "\"): the journal is damaged");
            }
            return new Journal(f[0], f[1], extent, size, tail, guard[0], guard[1], patches, blocks);
        } catch (java.io.EOFException e) {
            throw new CorruptJournalException(file + ": truncated journal");
        }
    }

    private static String line(DataInputStream in, CRC32C crc, Path file, long[] consumed) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new java.io.EOFException();
            }
            if (b.size() > 200) {
                throw new CorruptJournalException(file + ": journal line too long");
            }
            b.write(c);
        }
        byte[] bytes = b.toByteArray();
        consumed[0] += bytes.length + 1;
        if (crc != null) {
            crc.update(bytes);
            crc.update('\n');
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static long[] numbers(String line, String key, int count, Path file) throws IOException {
        String[] w = line.split(" ");
        if (w.length != count + 1 || !w[0].equals(key)) {
            throw new CorruptJournalException(file + ": expected \"" + key + "\" line, found \"" + line + "\"");
        }
        long[] out = new long[count];
        try {
            for (int i = 0; i < count; i++) {
                out[i] = Long.parseLong(w[i + 1]);
            }
        } catch (NumberFormatException e) {
            throw new CorruptJournalException(file + ": bad number in \"" + line + "\"");
        }
        return out;
    }

    /** A journal that cannot be trusted: left in place (renamed aside) for a human, never applied. */
    public static final class CorruptJournalException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptJournalException(String m) {
            super(m);
        }
    }

    /**
     * Applies this (committed) journal to the mailbox open on {@code ch}: moves any bytes appended
     * beyond what the rewrite assumed, patches, truncates, fsyncs. Idempotent. Returns the final size.
     */
    public long apply(FileChannel ch, String name, FileChannel journal) throws IOException {
        applyPatchesOnly(ch, name, journal);
        ChannelIo.truncate(ch, newSize, name);
        ChannelIo.force(ch, name);
        return newSize;
    }

    /** Writes the patches (not the truncation) and fsyncs. */
    public void applyPatchesOnly(FileChannel ch, String name, FileChannel journal) throws IOException {
        Patch chunk = growthChunk();
        if (chunk != null) {
            ChannelIo.write(ch, bytesOf(chunk, journal), chunk.offset(), name);
            Faults.point("rewrite.grown");
        }
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        for (Patch x : patches) {
            if (x.data() != null) {
                ChannelIo.write(ch, x.data(), x.offset(), name);
                continue;
            }
            long done = 0;
            while (done < x.length()) {
                // pieces end at multiples of WRITE_PIECE in the mailbox: a kill between two leaves a
                // boundary PreImage cuts its blocks at
                long at = x.offset() + done;
                long piece = Math.min(x.length() - done, PreImage.WRITE_PIECE - at % PreImage.WRITE_PIECE);
                buf.clear().limit((int) piece);
                int n = journal.read(buf, x.source() + done);
                if (n <= 0) {
                    throw new CorruptJournalException("journal for " + name + " ends inside a patch");
                }
                buf.flip();
                ChannelIo.write(ch, buf, x.offset() + done, name);
                done += n;
                if (done >= x.length() / 2) {
                    Faults.point("rewrite.applying"); // half-way through a patch: the mailbox is inconsistent here
                }
            }
        }
        ChannelIo.force(ch, name);
    }

    /**
     * When the file grows, the first write is a small chunk at its new end (it cannot be torn by a
     * kill): from then on the file has its new size, so recovery can tell our bytes from bytes other
     * programs appended after a crash by looking for this chunk.
     */
    public Patch growthChunk() {
        return growthChunk(patches, extent, newSize);
    }

    private static Patch growthChunk(List<Patch> patches, long extent, long newSize) {
        if (newSize <= extent) {
            return null;
        }
        Patch last = null;
        for (Patch x : patches) {
            if (last == null || x.offset() + x.length() > last.offset() + last.length()) {
                last = x;
            }
        }
        if (last == null || last.offset() + last.length() != newSize) {
            throw new IllegalStateException("a growing rewrite must end with a patch at its new end");
        }
        long from = Math.max(last.offset(), Math.max(newSize - 512, ((newSize - 1) / 4096) * 4096));
        return new Patch(from, null, -1, newSize - from, null);
    }

    /** The bytes of {@code chunk} (a range inside one patch) as this journal holds them. */
    public byte[] bytesOf(Patch chunk, FileChannel journal) throws IOException {
        for (Patch x : patches) {
            if (chunk.offset() >= x.offset() && chunk.offset() + chunk.length() <= x.offset() + x.length()) {
                int off = (int) (chunk.offset() - x.offset());
                if (x.data() != null) {
                    return java.util.Arrays.copyOfRange(x.data(), off, off + (int) chunk.length());
                }
                return ChannelIo.read(journal, x.source() + off, (int) chunk.length(), "journal");
            }
        }
        throw new IllegalStateException("chunk outside the patches");
    }

    public static void discard(Path mailbox) throws IOException {
        Path fin = pathFor(mailbox);
        Files.deleteIfExists(fin.resolveSibling(fin.getFileName() + ".tmp"));
        if (Files.deleteIfExists(fin)) {
            syncDirectory(fin.getParent());
        }
    }

    /** Total bytes the journal will hold (for space checks and messages). */
    public long bytes() {
        long n = blockCrcs == null ? 0 : 4L * blockCrcs.length;
        for (Patch x : patches) {
            n += x.length();
        }
        return n;
    }

}
