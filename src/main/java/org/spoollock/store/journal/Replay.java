package org.spoollock.store.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.spoollock.posix.ChannelIo;
import org.spoollock.posix.Stat;

/**
 * Finishes a committed rewrite journal after a crash: applies it, keeping whatever other programs
 * appended since (see {@link Journal}); a journal that no longer matches the mailbox is renamed aside
 * and reported, never applied.
 */
public final class Replay {
    private static final System.Logger LOG = System.getLogger(Replay.class.getName());

    private Replay() {
    }

    /** Applies the committed journal {@code j} to the mailbox open on {@code ch} (identity {@code st}), held exclusively. */
    public static String run(Path mailbox, FileChannel ch, Stat st, Path j) throws IOException {
        String name = mailbox.toString();
        Journal journal = Journal.read(j);
        long cur = ChannelIo.size(ch, name);
        long first = journal.firstChange();
        boolean guardOk = cur >= first && Journal.crc(ch, journal.guardFrom, first, name) == journal.guardCrc;
        // (device, inode) as the writer saw them. Another client of a network filesystem sees another
        // st_dev for the same file (NFS, sshfs), and on sshfs without -o use_ino another inode number
        // too. The same inode on another device is the same file (a replaced file gets a new inode).
        // Another inode only if the content vouches for it: the bytes before the first change (the
        // guard) and every block the rewrite replaces, old or already new (a version 1 journal has
        // no blocks: the guard alone, which cannot vouch when the rewrite begins at offset 0).
        boolean sameFile = journal.ino == st.ino();
        if (!sameFile && guardOk) {
            try (FileChannel jc = FileChannel.open(j, StandardOpenOption.READ)) {
                // no blocks (version 1, or a rewrite that only appends): the guard alone
                sameFile = journal.hasBlocks() ? journal.contentVouches(ch, jc, name) : first > journal.guardFrom;
            }
        }
        if ((journal.dev != st.dev() || journal.ino != st.ino()) && !sameFile) {
            return setAside(j, "the journal is for another file (dev " + journal.dev + " inode " + journal.ino
                    + "), and the bytes it would replace are neither as they were nor as it would make them:"
                    + " the mailbox was replaced or rewritten since");
        }
        if (!guardOk) {
            return setAside(j, "the mailbox's bytes before offset " + first + " are not those the journal was written"
                    + " for: another program rewrote it since");
        }
        // Where do our bytes end? Beyond that point, bytes were appended by another program after the crash.
        long foreignFrom;
        if (journal.newSize > journal.extent) {
            Journal.Patch chunk = journal.growthChunk();
            boolean grown;
            try (FileChannel jc = FileChannel.open(j, StandardOpenOption.READ)) {
                grown = cur >= journal.newSize && java.util.Arrays.equals(
                        ChannelIo.read(ch, chunk.offset(), (int) chunk.length(), name), journal.bytesOf(chunk, jc));
            }
            foreignFrom = grown ? journal.newSize : journal.extent;
        } else if (journal.newSize == journal.extent) {
            foreignFrom = journal.extent;
        } else if (cur >= journal.extent
                && Journal.crc(ch, journal.newSize, journal.extent, name) == journal.tailCrc) {
            foreignFrom = journal.extent; // not truncated yet
        } else {
            foreignFrom = journal.newSize; // truncated already
        }
        if (cur < foreignFrom) {
            return setAside(j, "the mailbox is " + cur + " bytes, shorter than the " + foreignFrom
                    + " the journal expects: another program rewrote it since");
        }
        try (FileChannel jc = FileChannel.open(j, StandardOpenOption.READ)) {
            if (cur == foreignFrom) {
                journal.apply(ch, name, jc);
                Journal.discard(mailbox);
                return "finished an interrupted rewrite (" + journal.patches.size() + " changes, now " + journal.newSize
                        + " bytes)";
            }
            long moved = cur - foreignFrom;
            if (foreignFrom == journal.newSize) {
                // the others' bytes already follow the rewritten part: finish it, keep them where they are
                journal.applyPatchesOnly(ch, name, jc);
            } else {
                // Move the others' bytes to follow the rewritten part: one new journal holding our patches
                // and theirs replaces this one atomically, then is applied like any other.
                List<Journal.Patch> all = new java.util.ArrayList<>();
                for (Journal.Patch x : journal.patches) {
                    all.add(x.from(jc));
                }
                all.add(Journal.Patch.copy(journal.newSize, foreignFrom, moved));
                Journal second = Journal.plan(ch, st, cur, journal.newSize + moved, all, name);
                second.commit(mailbox, ch, true).applyCommitted(mailbox, ch);
            }
            Journal.discard(mailbox);
            return "finished an interrupted rewrite and kept " + moved + " bytes appended since by another program";
        }
    }

    private static String setAside(Path journal, String why) throws IOException {
        Path aside = journal.resolveSibling(journal.getFileName() + ".obsolete-" + System.currentTimeMillis() / 1000);
        Files.move(journal, aside);
        String m = "left the rewrite journal alone, renamed " + aside.getFileName() + ", because " + why;
        LOG.log(System.Logger.Level.ERROR, journal + ": " + m);
        return m;
    }

}
