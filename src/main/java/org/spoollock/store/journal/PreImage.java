package org.spoollock.store.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;

import org.spoollock.posix.ChannelIo;

/**
 * CRCs of the bytes a rewrite replaces, block by block, so that a recoverer that cannot recognise the
 * mailbox by its inode number (another client of sshfs, which numbers inodes per mount; a rewrite
 * starting at offset 0 has no unchanged bytes before it to vouch) can recognise it by its content:
 * every block is still as it was, or already as the journal says it will be.
 *
 * <p>Blocks are cut wherever a kill can leave the rewrite: at every 4 KiB of the file (the kernel
 * stops a write killed half-way on a page boundary), at every patch's start and end, at the start of
 * the growth chunk and at every 1 MiB (the apply loop's writes end there). So a block is never half
 * old and half new: it matches its old CRC, or the journal's bytes, or the file is not the one the
 * journal was written for.
 */
final class PreImage {
    static final int PAGE = 4096;
    /** The apply loop writes copy patches in pieces ending at multiples of this (a multiple of PAGE). */
    static final int WRITE_PIECE = 1 << 20;

    private PreImage() {
    }

    /** Where the blocks of {@code [from, to)} begin and end (sorted, both ends included). */
    static long[] cuts(long from, long to, List<Journal.Patch> patches, Journal.Patch growthChunk) {
        if (to <= from) {
            return new long[] {from};
        }
        List<Long> extra = new ArrayList<>();
        for (Journal.Patch x : patches) {
            extra.add(x.offset());
            extra.add(x.offset() + x.length());
        }
        if (growthChunk != null) {
            extra.add(growthChunk.offset());
        }
        long[] b = extra.stream().mapToLong(Long::longValue).filter(p -> p > from && p < to).sorted().distinct().toArray();
        // from, to, the grid points strictly between (at most (to - from) / PAGE + 1) and the extra ones
        long[] out = new long[(int) ((to - from) / PAGE + b.length + 3)];
        int n = 0;
        int k = 0;
        long p = from;
        out[n++] = p;
        while (p < to) {
            long grid = (p / PAGE + 1) * PAGE;
            while (k < b.length && b[k] <= p) {
                k++;
            }
            p = Math.min(to, k < b.length ? Math.min(grid, b[k]) : grid);
            out[n++] = p;
        }
        return Arrays.copyOf(out, n);
    }

    /** The CRC32C of each block of the file open on {@code ch}, read front to back. */
    static int[] crcs(FileChannel ch, long[] cuts, String name) throws IOException {
        int[] out = new int[cuts.length - 1];
        if (out.length == 0) {
            return out;
        }
        ByteBuffer buf = ByteBuffer.allocate(WRITE_PIECE);
        CRC32C c = new CRC32C();
        int block = 0;
        long pos = cuts[0];
        long end = cuts[cuts.length - 1];
        while (pos < end) {
            buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
            int n = ChannelIo.readSome(ch, buf, pos, name);
            if (n <= 0) {
                throw new java.io.EOFException(name + ": ends at " + pos + ", before " + end + ", while journaling a rewrite");
            }
            int off = 0;
            while (off < n) {
                int take = (int) Math.min(n - off, cuts[block + 1] - pos);
                c.update(buf.array(), off, take);
                off += take;
                pos += take;
                if (pos == cuts[block + 1]) {
                    out[block++] = (int) c.getValue();
                    c.reset();
                }
            }
        }
        return out;
    }

    /**
     * Whether every block of the file open on {@code ch} holds either its old bytes ({@code crcs}) or
     * the new bytes the journal's patches give it (read from {@code journal}). Bytes no patch covers
     * must be old.
     */
    static boolean vouches(FileChannel ch, FileChannel journal, long[] cuts, int[] crcs, List<Journal.Patch> patches,
                           String name) throws IOException {
        if (crcs.length != cuts.length - 1) {
            throw new Journal.CorruptJournalException("journal for " + name + ": " + crcs.length
                    + " block checksums where its patches make " + (cuts.length - 1) + " blocks");
        }
        if (crcs.length == 0 || ChannelIo.size(ch, name) < cuts[cuts.length - 1]) {
            return false;
        }
        int[] now = crcs(ch, cuts, name);
        List<Journal.Patch> sorted = new ArrayList<>(patches);
        sorted.sort(Comparator.comparingLong(Journal.Patch::offset));
        int k = 0;
        for (int i = 0; i < crcs.length; i++) {
            if (now[i] == crcs[i]) {
                continue;
            }
            long s = cuts[i];
            int len = (int) (cuts[i + 1] - s);
            while (k < sorted.size() && sorted.get(k).offset() + sorted.get(k).length() <= s) {
                k++;
            }
            if (k == sorted.size() || sorted.get(k).offset() > s) {
                return false; // changed where the rewrite changes nothing
            }
            Journal.Patch x = sorted.get(k);
            int off = (int) (s - x.offset());
            byte[] want = x.data() != null ? Arrays.copyOfRange(x.data(), off, off + len)
                    : ChannelIo.read(journal, x.source() + off, len, "journal for " + name);
            if (!Arrays.equals(want, ChannelIo.read(ch, s, len, name))) {
                return false;
            }
        }
        return true;
    }
}
