package org.spoollock.store.mbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.posix.ChannelIo;
import org.spoollock.store.Flags;
import org.spoollock.store.journal.Journal;

/**
 * The new layout of a mailbox after a checkpoint or expunge, computed as c-client's unix_rewrite
 * computes it, as patches for a {@link Journal}:
 * <ul>
 * <li>a pseudo-message is rewritten when there is one (and created when no message is left);
 * <li>message 1 is always rewritten (it carries X-IMAPbase when there is no pseudo-message); any
 *     other message is rewritten when its flags or UID changed, when it moves, or when its status
 *     headers are not exactly c-client's block (whose X-Keywords padding lets flags change in place);
 * <li>a rewritten message is its From_ line (CR dropped), its header without status headers, the
 *     status block, then its text, which is copied only if it moved (CRs dropped then, as c-client);
 * <li>every message is followed by one newline (mmdf: the ^A line, see {@link Framing}).
 * </ul>
 */
final class RewritePlan {
    final List<Journal.Patch> patches = new ArrayList<>();
    long newSize;
    int expunged;
    /** Messages that keep their place only if unchanged (for the caller's re-read). */
    private final MboxIndex index;
    private final FileChannel ch;
    private final String name;

    private RewritePlan(MboxIndex index, FileChannel ch, String name) {
        this.index = index;
        this.ch = ch;
        this.name = name;
    }

    /**
     * Plans the rewrite. {@code expunge}: drop messages flagged \Deleted. {@code host} and {@code now}
     * go into a pseudo-message, as c-client writes them.
     */
    static RewritePlan of(MboxIndex index, FileChannel ch, String name, boolean expunge, String host, ZonedDateTime now)
            throws IOException {
        RewritePlan p = new RewritePlan(index, ch, name);
        p.plan(expunge, host, now);
        return p;
    }

    private void plan(boolean expunge, String host, ZonedDateTime now) throws IOException {
        long cur = 0;
        boolean pseudo = index.hasPseudoMessage();
        int kept = 0;
        for (int m = 1; m <= index.count(); m++) {
            if (!(expunge && (index.flags(m) & Flags.DELETED) != 0)) {
                kept++;
            }
        }
        expunged = index.count() - kept;
        if (kept == 0) {
            pseudo = true; // c-client: no messages, so make a pseudo-message now
        }
        if (pseudo) {
            byte[] p = StatusBlock.pseudoMessage(index.uidValidity, index.uidLast, index.keywordNames, host, now,
                    index.framing);
            patches.add(Journal.Patch.literal(0, p));
            cur = p.length;
        }
        boolean base = !pseudo;
        long fileSize = index.fileSize();
        for (int m = 1; m <= index.count(); m++) {
            if (expunge && (index.flags(m) & Flags.DELETED) != 0) {
                continue;
            }
            byte[] status = StatusBlock.of(index.flags(m), index.keywordBits(m), index.uid(m), index.keywordNames,
                    index.uidValidity, index.uidLast, base);
            long start = index.start(m);
            long oldText = start + index.fromLength(m) + index.headerLength(m);
            long textLen = index.textLength(m);
            long oldTextEnd = oldText + textLen;
            boolean rewrite = base || index.dirty(m) || cur != start
                    || index.headerLength(m) != index.keptHeaderLength(m) + status.length;
            base = false;
            long textEnd;
            boolean inPlace;
            if (rewrite) {
                byte[] head = StatusBlock.concat(fromLine(m), keptHeader(m), status);
                patches.add(Journal.Patch.literal(cur, head));
                long newText = cur + head.length;
                if (newText != oldText) {
                    long written = moveText(oldText, textLen, newText);
                    textEnd = newText + written;
                    inPlace = false;
                } else {
                    textEnd = oldTextEnd;
                    inPlace = true;
                }
            } else {
                textEnd = oldTextEnd;
                inPlace = true;
            }
            // the trailer (unix: the separating newline; mmdf: the ^A line): already there only if the old one
            // is exactly that, right here (an mmdf message that shared its delimiter with the last one's
            // trailer gets its own)
            byte[] trailer = index.framing.trailer();
            long nextOld = m < index.count() ? index.start(m + 1) : fileSize;
            boolean trailerThere = inPlace && nextOld >= oldTextEnd + trailer.length
                    && java.util.Arrays.equals(bytesAt(oldTextEnd, trailer.length), trailer)
                    && (m < index.count() ? nextOld == oldTextEnd + trailer.length : true);
            if (!trailerThere) {
                patches.add(Journal.Patch.literal(textEnd, trailer));
            }
            cur = textEnd + trailer.length;
        }
        newSize = cur;
    }

    private byte[] bytesAt(long offset, int n) throws IOException {
        if (offset + n > index.fileSize()) {
            return new byte[0];
        }
        return ChannelIo.read(ch, offset, n, name);
    }

    /** The From_ line, a CR before its newline dropped. */
    private byte[] fromLine(int m) throws IOException {
        byte[] b = ChannelIo.read(ch, index.start(m), index.fromLength(m), name);
        if (b.length >= 2 && b[b.length - 2] == '\r') {
            byte[] out = new byte[b.length - 1];
            System.arraycopy(b, 0, out, 0, b.length - 2);
            out[out.length - 1] = '\n';
            return out;
        }
        return b;
    }

    /** The header c-client keeps, checked against what the parse counted: if they differ, no rewrite. */
    private byte[] keptHeader(int m) throws IOException {
        byte[] raw = ChannelIo.read(ch, index.start(m) + index.fromLength(m), index.headerLength(m), name);
        byte[] h = HeaderFilter.kept(raw);
        if (h.length != index.keptHeaderLength(m)) {
            throw new IOException(name + ": message " + m + " at offset " + index.start(m) + ": its header would be"
                    + " rewritten as " + h.length + " bytes where the parse kept " + index.keptHeaderLength(m)
                    + "; refusing to rewrite the mailbox (run 'spoollock check' and report this file)");
        }
        return h;
    }

    /** Text moved to {@code to}: copied as it is, or with its CRs dropped (as c-client) if it has any. */
    private long moveText(long from, long length, long to) throws IOException {
        if (!hasCr(from, length)) {
            if (length > 0) {
                patches.add(Journal.Patch.copy(to, from, length));
            }
            return length;
        }
        if (length > Integer.MAX_VALUE - 64) {
            throw new IOException(name + ": message at offset " + from + " has CRs and " + length
                    + " bytes of text, too large to convert in memory");
        }
        byte[] raw = ChannelIo.read(ch, from, (int) length, name);
        int n = 0;
        for (byte b : raw) {
            if (b != '\r') {
                raw[n++] = b;
            }
        }
        patches.add(Journal.Patch.literal(to, java.util.Arrays.copyOf(raw, n)));
        return n;
    }

    private boolean hasCr(long from, long length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(1 << 20, Math.max(1, length)));
        long p = from;
        long end = from + length;
        while (p < end) {
            b.clear().limit((int) Math.min(b.capacity(), end - p));
            int n = ch.read(b, p);
            if (n <= 0) {
                break;
            }
            byte[] a = b.array();
            for (int i = 0; i < n; i++) {
                if (a[i] == '\r') {
                    return true;
                }
            }
            p += n;
        }
        return false;
    }
}
