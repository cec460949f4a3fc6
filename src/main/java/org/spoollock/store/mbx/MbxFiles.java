package org.spoollock.store.mbx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.posix.ChannelIo;
import org.spoollock.posix.Posix;
import org.spoollock.posix.Stat;
import org.spoollock.store.BadMailboxException;
import org.spoollock.store.Flags;
import org.spoollock.store.FileProbe;
import org.spoollock.store.LineEnds;
import org.spoollock.store.NewMessage;
import org.spoollock.store.journal.AppendIntent;

/** Writing mbx files as c-client's mbx driver does: a new file's header, and messages appended at the end. */
final class MbxFiles {
    private MbxFiles() {
    }

    /** One message to append: CRLF text, c-client's system flag bits, keyword names, UID (0: none yet). */
    record Out(ZonedDateTime date, byte[] text, int systemFlags, List<String> keywords, long uid) {
    }

    /** Where a message starts: a header line that parses (for cutting out a killed append). */
    static final AppendIntent.MessageStart MESSAGE_START = (b, from, n) -> {
        for (int skip = 0; skip <= 1; skip++) {
            int start = from + skip;
            if (skip == 1 && (n < 1 || b[from] != '\n')) {
                break;
            }
            for (int i = start; i + 1 < from + n && i < start + 64; i++) {
                if (b[i] == '\r' && b[i + 1] == '\n') {
                    try {
                        MbxMessageHeader.parse(b, start, i);
                        return skip + 1;
                    } catch (MbxMessageHeader.BadLine e) {
                        break;
                    }
                }
            }
        }
        return 0;
    };

    /**
     * Makes an empty mbx file as mbx_create does (mode 0600, never through a symbolic link): its header with
     * a UIDVALIDITY of now, no UID given, 30 empty keyword lines and NULs; EXISTS if something is there.
     */
    static void create(Path p) throws IOException {
        create(p, System.currentTimeMillis() / 1000, List.of());
    }

    static void create(Path p, long uidValidity, List<String> keywords) throws IOException {
        FileProbe.createEmpty(p);
        writeHeader(p, uidValidity, keywords);
    }

    /** An empty file (0 bytes) made an empty mbx mailbox: the caller asked for mbx there. */
    static void initIfEmpty(Path p, long uidValidity) throws IOException {
        java.nio.file.attribute.BasicFileAttributes a;
        try {
            a = java.nio.file.Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return;
        }
        if (a.isRegularFile() && a.size() == 0) {
            writeHeader(p, uidValidity, List.of());
        }
    }

    private static void writeHeader(Path p, long uidValidity, List<String> keywords) throws IOException {
        byte[] h = new MbxFileHeader(uidValidity, 0, keywords, 0).format();
        java.util.Arrays.fill(h, MbxFileHeader.SIZE - 10, MbxFileHeader.SIZE, (byte) 0); // mbx_create leaves no PID
        Posix posix = Posix.get();
        int fd = posix.open(p.toString(), Posix.O_WRONLY | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0);
        try {
            posix.writeFully(fd, h, p.toString());
            posix.fsync(fd, p.toString());
        } finally {
            posix.closeQuietly(fd);
        }
    }

    /** The store's flag bits as c-client's mbx system flags. */
    static int systemBits(int flags) {
        return ((flags & Flags.SEEN) != 0 ? MbxMessageHeader.SEEN : 0) | ((flags & Flags.DELETED) != 0 ? MbxMessageHeader.DELETED : 0)
                | ((flags & Flags.FLAGGED) != 0 ? MbxMessageHeader.FLAGGED : 0)
                | ((flags & Flags.ANSWERED) != 0 ? MbxMessageHeader.ANSWERED : 0)
                | ((flags & Flags.DRAFT) != 0 ? MbxMessageHeader.DRAFT : 0);
    }

    /** Deliveries (UIDs given when appended, as imapd's APPEND does; recent to the next session). */
    static List<Out> encode(List<NewMessage> messages) {
        List<Out> out = new ArrayList<>(messages.size());
        for (NewMessage m : messages) {
            byte[] text = LineEnds.crlf(new byte[0], m.content(), 0, m.content().length); // as mbx stores it
            out.add(new Out(m.date() != null ? m.date() : ZonedDateTime.now(), text, systemBits(m.flags()), m.keywords(), 0));
        }
        return out;
    }

    /**
     * Appends {@code messages} at the end of the mbx file open on {@code ch}, under the parse/append permission
     * and a shared flock the caller holds: the header first (new keyword lines, the last UID raised to the
     * UIDs given, so that a kill after it leaves nothing c-client would take for a bad UID), then the UIDs of
     * messages already there that have none, then a note and the messages; fsynced when asked.
     * {@code known}: the file as parsed so far (its messages up to the end are checked first). Returns where
     * they start.
     *
     * <p>A message to append with UID 0 gets the next UID, as c-client's imapd gives them for APPENDUID
     * (mbx_isvalid with MBXISVALIDUID): first every message in the file without one (mailutil's appends, in
     * file order), then the new ones. Not when the parse found UIDs out of order (c-client would rebuild them
     * under a new UIDVALIDITY at its next read-write open): the new messages then get none either.
     */
    static long appendHolding(Path path, FileChannel ch, int fd, Stat st, List<Out> messages, boolean fsync, MbxIndex known)
            throws IOException {
        String name = path.toString();
        long old = ChannelIo.size(ch, name);
        // every message up to the end must parse (as c-client's append scans them when it gives UIDs): a message
        // cut short would otherwise swallow the start of ours. Incremental: from where {@code known} stopped.
        known.parse(ch, old, name);
        MbxFileHeader h = MbxFileHeader.parse(ChannelIo.read(ch, 0, (int) Math.min(old, MbxFileHeader.SIZE), name), name);
        MbxIndex names = new MbxIndex();
        names.adopt(h);
        boolean give = known.warning() == null && messages.stream().anyMatch(m -> m.uid() == 0);
        List<Long> unnumbered = give ? stillUnnumbered(ch, known.unnumbered(), name) : List.of();
        long last = h.uidLast() + unnumbered.size();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Out m : messages) {
            if (m.text().length == 0) {
                throw new BadMailboxException(name + ": an empty message cannot be appended to mbx (c-client refuses it)");
            }
            long bits = names.keywordBits(m.keywords(), name);
            long uid = m.uid() != 0 ? m.uid() : give ? last + 1 : 0;
            last = Math.max(last, uid);
            byte[] line = new MbxMessageHeader(m.date(), m.text().length, bits, m.systemFlags(), uid).format();
            b.write(line);
            b.write(m.text());
        }
        MbxFileHeader updated = new MbxFileHeader(h.uidValidity(), last, names.keywordNames(), h.lastPid());
        if (!updated.equals(h)) {
            byte[] hb = updated.format();
            if (h.lastPid() == 0) {
                java.util.Arrays.fill(hb, MbxFileHeader.SIZE - 10, MbxFileHeader.SIZE, (byte) 0);
            }
            ChannelIo.write(ch, hb, 0, name);
        }
        if (!unnumbered.isEmpty() && fsync) {
            // the raised last UID on disk before any UID above the old one: a power cut keeping a UID without
            // it would make c-client rebuild every UID under a new UIDVALIDITY (the append note undoes only the
            // new messages, not these)
            ChannelIo.force(ch, name);
        }
        long uid = h.uidLast();
        for (long at : unnumbered) {
            ChannelIo.write(ch, MbxMessageHeader.uidField(++uid).getBytes(StandardCharsets.US_ASCII), at, name);
        }
        if (give) {
            known.numbered();
        }
        AppendIntent.appendNoted(path, ch, fd, st, old, ByteBuffer.wrap(b.toByteArray()), fsync);
        return old;
    }

    /** Of the UID fields the parse found at 0, those still 0 now (a read-write session may have numbered some). */
    private static List<Long> stillUnnumbered(FileChannel ch, List<Long> fields, String name) throws IOException {
        List<Long> out = new ArrayList<>(fields.size());
        for (long at : fields) {
            if (new String(ChannelIo.read(ch, at, 8, name), StandardCharsets.US_ASCII).equals(MbxMessageHeader.uidField(0))) {
                out.add(at);
            }
        }
        return out;
    }
}
