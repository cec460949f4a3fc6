package org.spoollock.store.mix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.store.LineEnds;
import org.spoollock.store.NewMessage;
import org.spoollock.store.StorageException;
import org.spoollock.store.Changes;

/**
 * The changes c-client's mix driver makes, on the state {@link MixControl} holds: append (mix_append,
 * mix_append_msg), flags (mix_flag) and expunge (mix_expunge without the burp). The caller writes the control
 * files afterwards ({@link MixControl#write}).
 */
final class MixAppend {
    private MixAppend() {
    }

    /** A message to append: CRLF text, status bits, keywords, internal date, the UID wanted (0: the next). */
    record Out(byte[] text, int systemBits, List<String> keywords, ZonedDateTime date, long uid) {
    }

    /** Deliveries: CRLF text, the next UIDs. */
    static List<Out> encode(List<NewMessage> messages) {
        List<Out> out = new ArrayList<>(messages.size());
        for (NewMessage m : messages) {
            byte[] text = LineEnds.crlf(new byte[0], m.content(), 0, m.content().length);
            out.add(new Out(text, MixIndex.statusBits(m.flags()), m.keywords(), m.date() != null ? m.date()
                    : ZonedDateTime.now(), 0));
        }
        return out;
    }

    /**
     * Appends the messages to the newest data file (fsynced) and adds them to the index and status with UIDs
     * above the last (a message's own UID when it is above the last: a migration's), the sequences all raised
     * to one new modseq as mix_append does. {@code seen}: a read-write session appends, which marks them old
     * (they stay recent to it). Returns their UIDs.
     */
    static List<Long> holding(MixControl c, List<Out> messages, boolean seen) throws IOException {
        MixIndex x = c.index();
        Path dir = c.dir();
        if (messages.isEmpty()) {
            return List.of();
        }
        long seq = MixIndex.modseq(x.metaSeq());
        if (x.indexSeq() >= seq) {
            seq = x.indexSeq() + 1;
        }
        if (x.statusSeq() >= seq) {
            seq = x.statusSeq() + 1;
        }
        List<byte[]> records = new ArrayList<>(messages.size());
        List<Long> uids = new ArrayList<>(messages.size());
        List<Long> bits = new ArrayList<>(messages.size());
        for (Out m : messages) {
            if (m.text().length == 0) {
                throw new StorageException(StorageException.Category.INVALID_INPUT, dir
                        + ": an empty message cannot be appended to mix (c-client refuses it)");
            }
            bits.add(x.keywordBits(m.keywords(), dir));
            long uid = x.nextUid(m.uid());
            uids.add(uid);
            byte[] line = String.format(":msg:%08x:%s:%08x:\r\n", uid, MixIndex.date(m.date()), m.text().length)
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] r = new byte[line.length + m.text().length];
            System.arraycopy(line, 0, r, 0, line.length);
            System.arraycopy(m.text(), 0, r, line.length, m.text().length);
            records.add(r);
        }
        long[] at = c.appendData(records);
        long pos = at[1];
        for (int i = 0; i < messages.size(); i++) {
            Out m = messages.get(i);
            int hpos = records.get(i).length - m.text().length;
            x.add(new MixIndex.Message(uids.get(i), m.date(), m.text().length, at[0], pos, hpos, headerSize(m.text())),
                    bits.get(i), m.systemBits() | (seen ? MixIndex.OLD : 0), seq);
            pos += records.get(i).length;
        }
        x.sequences(seq, seq, seq);
        return uids;
    }

    /** The header's length with the blank line that ends it (mix_append_msg); the whole text without one. */
    static long headerSize(byte[] t) {
        for (int i = 0; i + 3 < t.length; i++) {
            if (t[i] == '\r' && t[i + 1] == '\n' && t[i + 2] == '\r' && t[i + 3] == '\n') {
                return i + 4;
            }
        }
        return t.length;
    }

    /** mix_flag: each message's status changed, given a new modseq; a new keyword goes into the metadata first. */
    static void setFlags(MixIndex x, Changes.SetFlags f, Path dir) throws StorageException {
        int keywordsBefore = x.keywordNames().size();
        long add = x.keywordBits(f.addKeywords(), dir);
        long remove = x.knownKeywordBits(f.removeKeywords());
        int sysAdd = MixIndex.statusBits(f.add());
        int sysRemove = MixIndex.statusBits(f.remove());
        long seq = MixIndex.modseq(x.statusSeq());
        boolean changed = false;
        for (int n : f.msgnos()) {
            long user = (x.userFlags(n) | add) & ~remove;
            int system = ((x.systemFlags(n) | sysAdd) & ~sysRemove) | MixIndex.OLD;
            if (user != x.userFlags(n) || system != x.systemFlags(n)) {
                x.setStatus(n, user, system, seq);
                changed = true;
            }
        }
        long metaSeq = x.keywordNames().size() != keywordsBefore ? MixIndex.modseq(x.metaSeq()) : x.metaSeq();
        x.sequences(metaSeq, x.indexSeq(), changed ? seq : x.statusSeq());
    }

    /** mix_expunge: the messages flagged \Deleted dropped from index and status (their data stays: c-client burps). */
    static List<Integer> expunge(MixIndex x) {
        List<Integer> gone = new ArrayList<>();
        for (int n = 1; n <= x.count(); n++) {
            if ((x.systemFlags(n) & MixIndex.DELETED) != 0) {
                gone.add(n);
            }
        }
        if (!gone.isEmpty()) {
            x.remove(gone);
            x.sequences(x.metaSeq(), MixIndex.modseq(x.indexSeq()), MixIndex.modseq(x.statusSeq()));
        }
        return gone;
    }
}
