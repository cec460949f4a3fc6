package org.spoollock.store.mbx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.store.BadMailboxException;
import org.spoollock.store.Flags;
import org.spoollock.store.MessageIndex;

/**
 * The messages of an mbx file as c-client's mbx_parse reads them: from offset 2048, a header line and
 * the message, one after another; messages marked expunged (0x8000: expunged while others had the
 * mailbox open) are skipped. UIDs as mbx_parse gives them: a message without one (0) gets the next
 * after the last; a UID out of order or above the header's last one makes c-client start the UIDs
 * anew under a new UIDVALIDITY, and so does this index.
 */
final class MbxIndex implements MessageIndex {
    private final List<Long> offset = new ArrayList<>();
    private final List<Integer> lineLength = new ArrayList<>();
    private final List<Long> size = new ArrayList<>();
    private final List<Long> userFlags = new ArrayList<>();
    private final List<Integer> systemFlags = new ArrayList<>();
    private final List<Long> uid = new ArrayList<>();
    private final List<ZonedDateTime> date = new ArrayList<>();
    private final List<Boolean> recent = new ArrayList<>();
    /** Messages of the last parse that no session had seen (no UID, or not old): a read-write open marks them. */
    private final List<Integer> unseen = new ArrayList<>();
    /** The last parse gave UIDs the file does not hold yet (or rebuilt them): a read-write open writes the header. */
    private boolean dirty;
    /**
     * Where the UID field (8 hex digits before the header line's CRLF) of each message parsed with UID 0 on
     * disk lies, expunged ones too, in file order: what an append numbers first, as c-client's APPENDUID
     * path does. Kept across parses until {@link #numbered}; entries numbered by others meanwhile are
     * skipped by the writer, which reads each field again.
     */
    private final List<Long> unnumbered = new ArrayList<>();
    /** Where the next message starts: everything before is parsed. */
    private long parsed = MbxFileHeader.SIZE;
    private long lastUid;
    private long uidLast;
    private long uidValidity;
    private List<String> keywords = List.of();
    private String warning;

    long parsedTo() {
        return parsed;
    }

    long uidValidity() {
        return uidValidity;
    }

    long uidLast() {
        return uidLast;
    }

    List<String> keywordNames() {
        return keywords;
    }

    /** What c-client would have logged as a warning while parsing (UIDs rebuilt), or null. */
    String warning() {
        return warning;
    }

    /**
     * Reads the header and the messages from where the last parse stopped to {@code fileSize}: new mail.
     * Errors name the file and offset as c-client's do (the open then fails, as c-client's does).
     */
    int parse(FileChannel ch, long fileSize, String file) throws IOException {
        ByteBuffer hb = ByteBuffer.allocate(MbxFileHeader.SIZE);
        while (hb.hasRemaining() && ch.read(hb, hb.position()) > 0) {
            // fill
        }
        MbxFileHeader h = MbxFileHeader.parse(java.util.Arrays.copyOf(hb.array(), hb.position()), file);
        if (fileSize < parsed) {
            throw new org.spoollock.store.MailboxChangedException(file + ": the mailbox shrank from " + parsed + " to "
                    + fileSize + " bytes; reopen it");
        }
        if (uidValidity == 0) {
            uidValidity = h.uidValidity();
        }
        uidLast = Math.max(uidLast, h.uidLast());
        keywords = h.keywords();
        int before = offset.size();
        unseen.clear();
        dirty = false;
        long at = parsed;
        byte[] line = new byte[64];
        while (at < fileSize) {
            ByteBuffer b = ByteBuffer.wrap(line);
            int n = 0;
            while (b.hasRemaining()) {
                int k = ch.read(b, at + b.position());
                if (k <= 0) {
                    break;
                }
                n += k;
            }
            int cr = -1;
            for (int i = 0; i + 1 < n; i++) {
                if (line[i] == '\r' && line[i + 1] == '\n') {
                    cr = i;
                    break;
                }
            }
            if (cr < 0) {
                throw new BadMailboxException(file + ": no CRLF in the " + n + " bytes at offset " + at
                        + " where a message's header line should be");
            }
            MbxMessageHeader m;
            try {
                m = MbxMessageHeader.parse(line, 0, cr);
            } catch (MbxMessageHeader.BadLine e) {
                throw new BadMailboxException(file + ": the message header line at offset " + at + ": " + e.getMessage());
            }
            long end = at + cr + 2 + m.size();
            if (end > fileSize) {
                throw new BadMailboxException(file + ": the message at offset " + at + " runs past the end of the file ("
                        + end + " > " + fileSize + ")");
            }
            long u = m.uid();
            if (u == 0) {
                unnumbered.add(MbxMessageHeader.uidFieldAt(at + cr + 2));
            }
            if (u != 0 && (u <= lastUid || u > uidLast)) {
                // mbx_parse: "Invalid UID ... rebuilding UIDs" under a new UIDVALIDITY
                if (warning == null) {
                    warning = file + ": invalid UID " + u + " in message " + (offset.size() + 1)
                            + ", UIDs rebuilt under a new UIDVALIDITY (as c-client does)";
                    uidValidity = Math.max(uidValidity + 1, System.currentTimeMillis() / 1000);
                }
                u = 0;
                uidLast = lastUid;
                dirty = true;
            }
            if ((m.systemFlags() & MbxMessageHeader.EXPUNGED) != 0) {
                if (u == 0) {
                    dirty = true;
                }
                lastUid = u != 0 ? u : ++uidLast;
            } else {
                boolean fresh = u == 0 || (m.systemFlags() & MbxMessageHeader.OLD) == 0;
                if (u == 0) {
                    u = ++uidLast;
                }
                recent.add(fresh);
                if (fresh) {
                    unseen.add(offset.size() + 1);
                    dirty = true;
                }
                offset.add(at);
                lineLength.add(cr + 2);
                size.add(m.size());
                userFlags.add(m.userFlags());
                systemFlags.add(m.systemFlags());
                uid.add(u);
                date.add(m.date());
                lastUid = u;
            }
            at = end;
        }
        parsed = at;
        return offset.size() - before;
    }

    long offset(int msgno) {
        return offset.get(msgno - 1);
    }

    /** Where the message's text starts. */
    long textOffset(int msgno) {
        return offset.get(msgno - 1) + lineLength.get(msgno - 1);
    }

    int lineLength(int msgno) {
        return lineLength.get(msgno - 1);
    }

    long size(int msgno) {
        return size.get(msgno - 1);
    }

    long userFlags(int msgno) {
        return userFlags.get(msgno - 1);
    }

    int systemFlags(int msgno) {
        return systemFlags.get(msgno - 1);
    }

    /** Records flags read again from the file (another session changed them). */
    void setFlags(int msgno, long user, int system) {
        userFlags.set(msgno - 1, user);
        systemFlags.set(msgno - 1, system);
    }

    @Override
    public int count() {
        return offset.size();
    }

    @Override
    public long uid(int msgno) {
        return uid.get(msgno - 1);
    }

    @Override
    public int flags(int msgno) {
        int s = systemFlags.get(msgno - 1);
        return ((s & MbxMessageHeader.SEEN) != 0 ? Flags.SEEN : 0) | ((s & MbxMessageHeader.DELETED) != 0 ? Flags.DELETED : 0)
                | ((s & MbxMessageHeader.FLAGGED) != 0 ? Flags.FLAGGED : 0)
                | ((s & MbxMessageHeader.ANSWERED) != 0 ? Flags.ANSWERED : 0)
                | ((s & MbxMessageHeader.DRAFT) != 0 ? Flags.DRAFT : 0);
    }

    /** Recent as c-client counts it: no session had seen the message when this open first read it (no UID, or not old). */
    @Override
    public boolean recent(int msgno) {
        return recent.get(msgno - 1);
    }

    /** Where the UID fields of the messages parsed with UID 0 lie (see {@link #unnumbered}). */
    List<Long> unnumbered() {
        return List.copyOf(unnumbered);
    }

    /** Those fields have UIDs now. */
    void numbered() {
        unnumbered.clear();
    }

    /** Message {@code msgno}'s UID field has its UID on disk now (a read-write session wrote its status). */
    void numbered(int msgno) {
        unnumbered.remove(Long.valueOf(MbxMessageHeader.uidFieldAt(textOffset(msgno))));
    }

    /** The messages the last parse found unseen by any session (see {@link #recent}). */
    List<Integer> unseen() {
        return List.copyOf(unseen);
    }

    /** Whether the last parse gave UIDs or marks the file does not hold yet. */
    boolean dirty() {
        return dirty;
    }

    /** The header a read-write session writes after its parse or a keyword it added (mbx_update_header). */
    MbxFileHeader header(long lastPid) {
        return new MbxFileHeader(uidValidity, uidLast, keywords, lastPid);
    }

    /** Takes the header's keyword names and UIDs, without messages (for an append's keyword bits). */
    void adopt(MbxFileHeader h) {
        uidValidity = h.uidValidity();
        uidLast = h.uidLast();
        keywords = h.keywords();
    }

    /** Adds keyword names to the list (up to c-client's 30); returns their bits. */
    long keywordBits(List<String> names, String file) throws org.spoollock.store.StorageException {
        long bits = 0;
        List<String> list = new ArrayList<>(keywords);
        for (String k : names) {
            int i = -1;
            for (int j = 0; j < list.size(); j++) {
                if (k.equalsIgnoreCase(list.get(j))) {
                    i = j;
                    break;
                }
            }
            if (i < 0) {
                if (list.size() >= MbxFileHeader.MAX_KEYWORDS) {
                    throw new org.spoollock.store.StorageException(org.spoollock.store.StorageException.Category.INVALID_INPUT,
                            file + ": all " + MbxFileHeader.MAX_KEYWORDS + " mbx keywords are in use; " + k + " cannot be added");
                }
                if (k.length() > MbxFileHeader.MAX_KEYWORD_LENGTH) {
                    throw new org.spoollock.store.StorageException(org.spoollock.store.StorageException.Category.INVALID_INPUT,
                            file + ": keyword " + k + " is longer than mbx's " + MbxFileHeader.MAX_KEYWORD_LENGTH + " bytes");
                }
                list.add(k);
                i = list.size() - 1;
            }
            bits |= 1L << i;
        }
        keywords = java.util.Collections.unmodifiableList(list);
        return bits;
    }

    /** Takes the expunged messages out (numbers ascending); the others keep their UIDs. */
    /**
     * After a compaction that kept the remaining messages in order, each right after the previous one from
     * the end of the file header (hidden expunged ones squeezed out too): their new offsets, and the end.
     */
    void compacted() {
        long at = MbxFileHeader.SIZE;
        for (int i = 0; i < offset.size(); i++) {
            offset.set(i, at);
            at += lineLength.get(i) + size.get(i);
        }
        parsed = at;
    }

    void remove(List<Integer> msgnos) {
        for (int k = msgnos.size() - 1; k >= 0; k--) {
            int i = msgnos.get(k) - 1;
            offset.remove(i);
            lineLength.remove(i);
            size.remove(i);
            userFlags.remove(i);
            systemFlags.remove(i);
            uid.remove(i);
            date.remove(i);
            recent.remove(i);
        }
    }

    @Override
    public List<String> keywords(int msgno) {
        long bits = userFlags.get(msgno - 1);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < keywords.size(); i++) {
            if ((bits & (1L << i)) != 0 && keywords.get(i) != null) {
                out.add(keywords.get(i));
            }
        }
        return out;
    }

    @Override
    public ZonedDateTime internalDate(int msgno) {
        return date.get(msgno - 1);
    }
}
