package org.spoollock.store.mbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.spoollock.lock.MailboxLock;
import org.spoollock.posix.ChannelIo;
import org.spoollock.posix.Stat;
import org.spoollock.store.journal.AppendIntent;
import org.spoollock.store.journal.Journal;

/**
 * Finishes what a killed spoollock process left: a committed rewrite journal is applied (the
 * "after" state), an uncommitted one discarded (the "before" state), and a delivery cut short is
 * cut out (a complete one is kept), always keeping whatever other programs appended since. Runs
 * under the exclusive mailbox lock, before anything else reads or writes the mailbox.
 */
final class Recovery {
    private static final System.Logger LOG = System.getLogger(Recovery.class.getName());

    private Recovery() {
    }

    /** Whether anything is left to recover (two stats; cheap enough for every open). */
    static boolean needed(Path mailbox) {
        Path j = Journal.pathFor(mailbox);
        return Files.exists(j) || Files.exists(j.resolveSibling(j.getFileName() + ".tmp"))
                || Files.exists(Journal.appendIntentFor(mailbox));
    }

    /** Recovers under {@code lock} (exclusive). Returns a description of what was done, or null. */
    static String run(Path mailbox, MailboxLock lock) throws IOException {
        if (lock.mode() != MailboxLock.Mode.EXCLUSIVE) {
            throw new IllegalStateException("recovery needs the exclusive lock");
        }
        StringBuilder done = new StringBuilder();
        Path j = Journal.pathFor(mailbox);
        Path tmp = j.resolveSibling(j.getFileName() + ".tmp");
        if (Files.deleteIfExists(tmp)) {
            done.append("discarded an uncommitted rewrite journal (the mailbox had not been touched); ");
        }
        if (Files.exists(j)) {
            done.append(replay(mailbox, lock, j)).append("; ");
        }
        Path intent = Journal.appendIntentFor(mailbox);
        if (Files.exists(intent)) {
            done.append(AppendIntent.recover(mailbox, lock, intent, (b, from, n) -> FromLine.isValid(b, from, n) ? 1
                    : (n > from && b[from] == '\n' && FromLine.isValid(b, from + 1, n) ? 2 : 0))).append("; ");
        }
        if (done.length() == 0) {
            return null;
        }
        String what = mailbox + ": recovered: " + done.substring(0, done.length() - 2);
        LOG.log(System.Logger.Level.WARNING, what);
        return what;
    }

    private static String replay(Path mailbox, MailboxLock lock, Path j) throws IOException {
        String name = mailbox.toString();
        Journal journal = Journal.read(j);
        Stat st = lock.stat();
        FileChannel ch = lock.channel();
        if (journal.dev != st.dev() || journal.ino != st.ino()) {
            return setAside(j, "the journal is for another file (dev " + journal.dev + " inode " + journal.ino
                    + "): the mailbox was replaced since");
        }
        long cur = ChannelIo.size(ch, name);
        long first = journal.firstChange();
        if (cur < first || Journal.crc(ch, journal.guardFrom, first, name) != journal.guardCrc) {
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
                second.commit(mailbox, ch);
                try (FileChannel jc2 = FileChannel.open(j, StandardOpenOption.READ)) {
                    Journal.read(j).apply(ch, name, jc2);
                }
            }
            Journal.discard(mailbox);
            return "finished an interrupted rewrite and kept " + moved + " bytes appended since by another program";
        }
    }

    static String setAside(Path journal, String why) throws IOException {
        Path aside = journal.resolveSibling(journal.getFileName() + ".obsolete-" + System.currentTimeMillis() / 1000);
        Files.move(journal, aside);
        String m = "left the rewrite journal alone, renamed " + aside.getFileName() + ", because " + why;
        LOG.log(System.Logger.Level.ERROR, journal + ": " + m);
        return m;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
