package org.spoollock.store.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

import org.spoollock.posix.ChannelIo;
import org.spoollock.posix.Faults;
import org.spoollock.posix.SpaceReservation;
import org.spoollock.posix.Stat;
import org.spoollock.store.MailboxChangedException;

/**
 * What a delivery is about to append, written beside the mailbox before the append and removed once
 * the append is fsynced: {@code .<mailbox>.spoollock-append} holds the offset and the exact bytes.
 * If the delivering process is killed midway, whoever next locks the mailbox compares the file with
 * these bytes: a complete append is kept, a partial one is cut out, and anything another program
 * appended after the partial one (once our dead lock was broken) is moved down and kept.
 *
 * <p>Made durable (fdatasync) before the mailbox is written: a power cut can keep a page-aligned part of
 * an append whose fsync never came, and only a note that survived the cut tells recovery where that
 * part starts (spooltest/powerloss found the partial message when the note was not synced). One
 * fdatasync more per append, shared by every message of a group commit.
 */
public final class AppendIntent {
    private static final String MAGIC = "spoollock-append 1";

    private AppendIntent() {
    }

    /** Where a message of the mailbox's format starts: 1 at {@code at}, 2 after one newline there, else 0. */
    @FunctionalInterface
    public interface MessageStart {
        int at(byte[] buf, int from, int length);
    }

    /** A note this process wrote: what it said, to tell it from a note another process wrote since. */
    public record Note(Path file, long offset, long crc) {
        /**
         * Removes the note if it is still ours. A writer stopped longer than the stale period (SIGSTOP,
         * a frozen VM) has lost its lock; the breaker finished our note, and the next holder may have
         * written its own under the same name, which is not ours to remove: a delivery killed half-way
         * would then never be cut out (spooltest/torture: a stopped deliverer removed a killed one's
         * note, and the half message stayed). The note is read and compared first; what remains is the
         * moment between that comparison and the unlink.
         */
        public void remove() throws IOException {
            byte[] head;
            try (java.io.InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(256);
            } catch (java.nio.file.NoSuchFileException e) {
                return;
            }
            String[] lines = new String(head, StandardCharsets.US_ASCII).split("\n", 7);
            if (lines.length >= 6 && lines[2].equals("offset " + offset) && lines[4].equals("crc " + crc)) {
                Files.deleteIfExists(file);
            } else {
                System.getLogger(AppendIntent.class.getName()).log(System.Logger.Level.WARNING,
                        "{0} is no longer this process''s delivery note (offset {1}): left for its owner", file, offset);
            }
        }
    }

    /** Writes the intent; returns null (and logs why) if the directory does not let us. */
    public static Note write(Path mailbox, FileChannel lockChannel, Stat st, long offset, ByteBuffer data)
            throws MailboxChangedException {
        Path p = Journal.appendIntentFor(mailbox);
        CRC32C crc = new CRC32C();
        crc.update(data.duplicate());
        long guard;
        try {
            guard = guardCrc(lockChannel, offset, mailbox.toString());
        } catch (IOException e) {
            return null;
        }
        byte[] head = (MAGIC + "\nfile " + st.dev() + " " + st.ino() + "\noffset " + offset + "\nlength " + data.remaining()
                + "\ncrc " + crc.getValue() + "\nguard " + guard + "\n").getBytes(StandardCharsets.US_ASCII);
        // A new file, never one replaced: a note already there is a killed writer's, unseen (another NFS
        // client's, hidden by this client's cache of absent names, Recovery.needed(Path, MailboxLock)), and
        // replacing it would leave its partial message in the mailbox for good
        FileChannel out;
        try {
            out = FileChannel.open(p, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS), NoteAccess.like(st.mode()));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new MailboxChangedException(mailbox + ": " + p.getFileName() + " appeared before our delivery's"
                    + " note: an interrupted write is waiting to be finished (the next open finishes it); nothing"
                    + " written, try again");
        } catch (IOException e) {
            return noNote(mailbox, p, e);
        }
        try (out) {
            NoteAccess.giveToOwner(p, st);
            // one gathering write (no copy of the data into a combined buffer); the file is new, so position 0
            ByteBuffer[] parts = {ByteBuffer.wrap(head), data.duplicate()};
            try {
                while (parts[1].hasRemaining()) {
                    out.write(parts);
                }
                out.force(false); // before the append: after a power cut, the note is what finds a partial one
            } catch (IOException e) {
                throw ChannelIo.translate("write", p.toString(), e);
            }
            return new Note(p, offset, crc.getValue());
        } catch (IOException e) {
            try {
                Files.deleteIfExists(p); // ours, half written
            } catch (IOException ignored) {
                // nothing more to do: recovery rejects an intent whose checksum fails
            }
            return noNote(mailbox, p, e);
        }
    }

    private static Note noNote(Path mailbox, Path p, IOException e) {
        System.getLogger(AppendIntent.class.getName()).log(System.Logger.Level.DEBUG,
                "no append intent for {0} ({1}): a killed delivery would not be cut out", mailbox, e.getMessage());
        return null;
    }

    /**
     * The append of a format whose messages are written at the end of one file under the caller's
     * exclusive lock (tenex, mtx, mbx): the note, room reserved, {@code data} written at {@code old},
     * fsynced if asked, the note removed. A failed write is cut back to {@code old} (synced) before the
     * error is thrown, naming the file; the note goes with it. mbox has its own (it must look at the
     * dot-lock again just before writing, and appends with O_APPEND).
     */
    public static void appendNoted(Path path, FileChannel ch, int fd, Stat st, long old, ByteBuffer data, boolean fsync)
            throws IOException {
        String name = path.toString();
        Note intent = write(path, ch, st, old, data);
        if (data.remaining() > 0) {
            SpaceReservation.reserve(fd, old, data.remaining(), path);
        }
        try {
            ChannelIo.write(ch, data, old, name);
            Faults.point("append.written");
            if (fsync) {
                ChannelIo.force(ch, name);
            }
        } catch (IOException e) {
            ChannelIo.truncate(ch, old, name);
            ChannelIo.force(ch, name);
            if (intent != null) {
                intent.remove();
            }
            throw new IOException(name + ": append failed: " + e.getMessage() + "; the mailbox was truncated back to its"
                    + " previous " + old + " bytes", e);
        }
        if (intent != null) {
            intent.remove();
        }
    }

    /** Recovers on a mailbox open on {@code ch} (whose identity is {@code st}) that the caller holds exclusively. */
    public static String recover(Path mailbox, FileChannel ch, Stat st, Path file, MessageStart starts) throws IOException {
        String name = mailbox.toString();
        byte[] raw = Files.readAllBytes(file);
        Parsed in = parse(raw);
        if (in == null) {
            Files.delete(file);
            return "removed an incomplete delivery note (the process was killed before it began to write)";
        }
        // (device, inode) as the writer saw them. Another client of a network filesystem sees other
        // numbers for the same file (NFS: another st_dev; sshfs: both differ), and so may the same disk
        // after a reboot (device numbers are given out at start-up: LVM, dm), so a mismatch alone does
        // not prove the file was replaced: the 4 KiB before the offset (the guard) must differ too, or,
        // for an append at offset 0, the file must not begin with the note's own first line.
        boolean sameId = in.dev == st.dev() && in.ino == st.ino();
        long cur = ChannelIo.size(ch, name);
        if (cur < in.offset) {
            Files.delete(file);
            return "removed a delivery note: the mailbox is now shorter than where that delivery began";
        }
        // read only when the numbers differ: with them equal, the guard is checked just below anyway
        if (!sameId && !(in.offset > 0 ? guardCrc(ch, in.offset, name) == in.guard
                : beginsWithOurFirstLine(ch, cur, raw, in, name))) {
            Files.delete(file);
            return "removed a delivery note for a file that is no longer this mailbox";
        }
        if (guardCrc(ch, in.offset, name) != in.guard) {
            Path aside = file.resolveSibling(file.getFileName() + ".obsolete-" + System.currentTimeMillis() / 1000);
            Files.move(file, aside);
            return "left a killed delivery alone: the mailbox was rewritten by another program since (c-client's"
                    + " mbox append rewrites it, and keeps what it found as a message); the note is " + aside.getFileName();
        }
        int len = in.length;
        int have = (int) Math.min(len, cur - in.offset);
        byte[] there = ChannelIo.read(ch, in.offset, have, name);
        int k0 = 0;
        while (k0 < have && there[k0] == raw[in.dataAt + k0]) {
            k0++;
        }
        if (k0 == len) {
            ChannelIo.force(ch, name);
            Files.delete(file);
            return "kept a delivery that was complete when its process died (" + len + " bytes at offset " + in.offset + ")";
        }
        // The partial append ends where another program's message (a VALID From_ line) begins, or at the end.
        // Once our whole first line is there, the message start at the offset is our own, not another's:
        // what follows our bytes was then not appended by a peer but written into our message (c-client
        // adopted the half message and rewrote it with a status block), and no cut can be judged safe.
        int ownFirstLine = firstLineLength(raw, in.dataAt, len);
        int k = -1;
        int skipNewline = 0;
        for (int c = k0; c >= 0; c--) {
            long at = in.offset + c;
            if (at == cur) {
                k = c;
                break;
            }
            if (c == 0 && k0 >= ownFirstLine) {
                break;
            }
            int fl = startAt(ch, at, cur, name, starts);
            if (fl > 0) {
                k = c;
                skipNewline = fl == 2 && c > 0 ? 1 : 0;
                break;
            }
        }
        if (k < 0) {
            // cannot tell where our bytes end: leave everything as it is for a human
            Path aside = file.resolveSibling(file.getFileName() + ".unresolved-" + System.currentTimeMillis() / 1000);
            Files.move(file, aside);
            return "could not tell where a killed delivery at offset " + in.offset + " ends; left the mailbox alone and"
                    + " the note as " + aside.getFileName();
        }
        long foreign = in.offset + k + skipNewline;
        long tail = cur - foreign;
        if (tail == 0) {
            ChannelIo.truncate(ch, in.offset, name);
            ChannelIo.force(ch, name);
            Files.delete(file);
            return k == 0 ? "removed a delivery note: nothing had been written"
                    : "cut out " + k + " bytes of a delivery killed midway (offset " + in.offset + ")";
        }
        Journal j = Journal.plan(ch, st, cur, in.offset + tail, List.of(Journal.Patch.copy(in.offset, foreign, tail)), name);
        Journal committed = j.commit(mailbox, ch);
        Files.delete(file);
        committed.applyCommitted(mailbox, ch);
        Journal.discard(mailbox);
        return "cut out " + k + " bytes of a delivery killed midway (offset " + in.offset + ") and kept the " + tail
                + " bytes appended after it by another program";
    }

    /**
     * Whether the file begins with as much of the note's first line as it holds: an append at offset 0
     * has no bytes before it to vouch for the file, but its own From_ line (sender, date to the second)
     * does. An empty file vouches trivially: nothing of ours or anyone's is there to cut.
     */
    private static boolean beginsWithOurFirstLine(FileChannel ch, long cur, byte[] raw, Parsed in, String name)
            throws IOException {
        int n = (int) Math.min(cur, firstLineLength(raw, in.dataAt, in.length));
        byte[] there = ChannelIo.read(ch, 0, n, name);
        return java.util.Arrays.equals(there, 0, n, raw, in.dataAt, in.dataAt + n);
    }

    /** The length of the note's first line, its newline included (all of it if it has none). */
    private static int firstLineLength(byte[] raw, int dataAt, int length) {
        for (int i = 0; i < length; i++) {
            if (raw[dataAt + i] == '\n') {
                return i + 1;
            }
        }
        return length;
    }

    /** CRC32C of the (up to) 4 KiB before the append: if they changed, someone rewrote the mailbox since. */
    private static long guardCrc(FileChannel ch, long offset, String name) throws IOException {
        return Journal.crc(ch, Math.max(0, offset - 4096), offset, name);
    }

    /** Whether another program's message starts at {@code at} (1), after a newline there (2), or not (0). */
    private static int startAt(FileChannel ch, long at, long size, String name, MessageStart starts) throws IOException {
        int n = (int) Math.min(4096, size - at);
        if (n <= 0) {
            return 0;
        }
        return starts.at(ChannelIo.read(ch, at, n, name), 0, n);
    }

    private record Parsed(long dev, long ino, long offset, int length, int dataAt, long guard) {
    }

    private static Parsed parse(byte[] raw) {
        try {
            String[] lines = new String[6];
            int p = 0;
            for (int i = 0; i < 6; i++) {
                int q = p;
                while (q < raw.length && raw[q] != '\n') {
                    q++;
                }
                if (q >= raw.length) {
                    return null;
                }
                lines[i] = new String(raw, p, q - p, StandardCharsets.US_ASCII);
                p = q + 1;
            }
            if (!lines[0].equals(MAGIC)) {
                return null;
            }
            String[] f = lines[1].split(" ");
            long offset = Long.parseLong(lines[2].substring("offset ".length()));
            int length = Integer.parseInt(lines[3].substring("length ".length()));
            long crc = Long.parseLong(lines[4].substring("crc ".length()));
            long guard = Long.parseLong(lines[5].substring("guard ".length()));
            if (raw.length - p != length) {
                return null;
            }
            CRC32C c = new CRC32C();
            c.update(raw, p, length);
            if (c.getValue() != crc) {
                return null;
            }
            return new Parsed(Long.parseLong(f[1]), Long.parseLong(f[2]), offset, length, p, guard);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
