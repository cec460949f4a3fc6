package org.spoollock.store.mix;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import org.spoollock.store.BadMailboxException;
import org.spoollock.store.Flags;
import org.spoollock.store.MessageIndex;
import org.spoollock.store.StorageException;

/**
 * A mix mailbox's three control files as c-client's mix_parse reads them and mix_meta_update,
 * mix_index_update and mix_status_update write them: {@code .mixmeta} (S sequence, V UIDVALIDITY, L last
 * UID, N newest data file, K keyword names separated by spaces), {@code .mixindex} (S, then per message
 * {@code :uid:YYYYMMDDHHMMSS+ZZZZ:size:file:pos:hpos:hsiz:}, hex but the date) and {@code .mixstatus} (S,
 * then {@code :uid:keyword bits:system flags:modseq:}). Lines end in CRLF. A writer changes the parsed
 * state and writes each file's new bytes ({@link #metaBytes}, {@link #indexBytes}, {@link #statusBytes}).
 */
final class MixIndex implements MessageIndex {
    /** c-client's NUSERFLAGS and MAXUSERFLAG (mail.h). */
    static final int MAX_KEYWORDS = 30;
    static final int MAX_KEYWORD_LENGTH = 50;

    /** Status bits (mix.c's fSEEN ... fDRAFT; fOLD: a session has seen the message). */
    static final int SEEN = 0x1;
    static final int DELETED = 0x2;
    static final int FLAGGED = 0x4;
    static final int ANSWERED = 0x8;
    static final int OLD = 0x10;
    static final int DRAFT = 0x20;

    record Message(long uid, ZonedDateTime date, long size, long file, long pos, long headerOffset, long headerSize) {
    }

    private long metaSeq;
    private long uidValidity;
    private long uidLast;
    private long newFile;
    private List<String> keywords = new ArrayList<>();
    private long indexSeq;
    private long statusSeq;
    private final List<Message> messages = new ArrayList<>();
    private final List<Long> userFlags = new ArrayList<>();
    private final List<Integer> systemFlags = new ArrayList<>();
    private final List<Long> modseq = new ArrayList<>();
    /** Recent to this open: no session had marked it old when this open first read it. */
    private final List<Boolean> recent = new ArrayList<>();

    /** A new mailbox's state, as mix_create writes its metadata: sequence and data file {@code now}, no message. */
    static MixIndex created(long now, long validity) {
        MixIndex x = new MixIndex();
        x.metaSeq = now;
        x.uidValidity = validity;
        x.newFile = now;
        return x;
    }

    /** Reads the three files' contents (the caller holds c-client's locks on them). */
    static MixIndex parse(Path dir, byte[] meta, byte[] index, byte[] status) throws BadMailboxException {
        MixIndex x = new MixIndex();
        List<String> m = lines(dir.resolve(".mixmeta"), meta);
        x.metaSeq = sequence(dir.resolve(".mixmeta"), m);
        for (String l : m.subList(1, m.size())) {
            String v = l.substring(1);
            switch (l.charAt(0)) {
                case 'V' -> x.uidValidity = hex(dir, ".mixmeta", "UIDVALIDITY", v);
                case 'L' -> x.uidLast = hex(dir, ".mixmeta", "UIDLAST", v);
                case 'N' -> x.newFile = hex(dir, ".mixmeta", "new message file", v);
                case 'K' -> x.keywords = v.isEmpty() ? new ArrayList<>() : new ArrayList<>(List.of(v.split(" ")));
                default -> throw bad(dir, ".mixmeta", "unknown record \"" + shorten(l) + "\"");
            }
        }
        if (x.uidValidity == 0) {
            throw bad(dir, ".mixmeta", "no UIDVALIDITY record");
        }
        List<String> ix = lines(dir.resolve(".mixindex"), index);
        // an empty file has sequence 1 (mix_read_sequence: "start a new sequence regime")
        x.indexSeq = ix.isEmpty() ? 1 : sequence(dir.resolve(".mixindex"), ix);
        long last = 0;
        for (String l : ix.subList(Math.min(1, ix.size()), ix.size())) {
            String[] f = l.split(":", -1);
            if (f.length < 9 || !f[0].isEmpty() || f[2].length() != 19) {
                throw bad(dir, ".mixindex", "bad message record \"" + shorten(l) + "\"");
            }
            long uid = hex(dir, ".mixindex", "UID", f[1]);
            if (uid == 0 || uid <= last || uid > x.uidLast) {
                throw bad(dir, ".mixindex", "UID " + uid + " out of order or above the last UID " + x.uidLast);
            }
            last = uid;
            ZonedDateTime date;
            try {
                String d = f[2];
                int sign = d.charAt(14) == '-' ? -1 : 1;
                date = ZonedDateTime.of(Integer.parseInt(d.substring(0, 4)), Integer.parseInt(d.substring(4, 6)),
                        Integer.parseInt(d.substring(6, 8)), Integer.parseInt(d.substring(8, 10)),
                        Integer.parseInt(d.substring(10, 12)), Integer.parseInt(d.substring(12, 14)), 0,
                        ZoneOffset.ofHoursMinutes(sign * Integer.parseInt(d.substring(15, 17)),
                                sign * Integer.parseInt(d.substring(17, 19))));
            } catch (RuntimeException e) {
                throw bad(dir, ".mixindex", "bad internal date in \"" + shorten(l) + "\"");
            }
            x.messages.add(new Message(uid, date, hex(dir, ".mixindex", "size", f[3]), hex(dir, ".mixindex", "file#", f[4]),
                    hex(dir, ".mixindex", "message position", f[5]), hex(dir, ".mixindex", "header position", f[6]),
                    hex(dir, ".mixindex", "header size", f[7])));
            x.userFlags.add(0L);
            x.systemFlags.add(0);
            x.modseq.add(0L);
        }
        List<String> st = lines(dir.resolve(".mixstatus"), status);
        x.statusSeq = st.isEmpty() ? 1 : sequence(dir.resolve(".mixstatus"), st);
        int n = 0;
        for (String l : st.subList(Math.min(1, st.size()), st.size())) {
            String[] f = l.split(":", -1);
            if (f.length < 6 || !f[0].isEmpty()) {
                throw bad(dir, ".mixstatus", "bad message record \"" + shorten(l) + "\"");
            }
            long uid = hex(dir, ".mixstatus", "UID", f[1]);
            while (n < x.messages.size() && x.messages.get(n).uid() < uid) {
                n++;
            }
            // a record for a UID the index no longer has (expunged) is passed over, as mix_parse does
            if (n < x.messages.size() && x.messages.get(n).uid() == uid) {
                x.userFlags.set(n, hex(dir, ".mixstatus", "keywords", f[2]));
                x.systemFlags.set(n, (int) hex(dir, ".mixstatus", "flags", f[3]));
                x.modseq.set(n, hex(dir, ".mixstatus", "modseq", f[4]));
            }
        }
        for (int i = 0; i < x.messages.size(); i++) {
            x.recent.add((x.systemFlags.get(i) & OLD) == 0);
        }
        return x;
    }

    private static List<String> lines(Path file, byte[] b) throws BadMailboxException {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>();
        for (String l : s.split("\r\n", -1)) {
            if (!l.isEmpty()) { // c-client warns of an empty record and goes on
                out.add(l);
            }
        }
        if (!s.isEmpty() && !s.endsWith("\r\n")) {
            throw new BadMailboxException(file + ": the last record is cut short (no CRLF)");
        }
        return out;
    }

    private static long sequence(Path file, List<String> l) throws BadMailboxException {
        if (l.isEmpty() || l.get(0).length() < 2 || l.get(0).charAt(0) != 'S') {
            throw new BadMailboxException(file + ": no sequence record (S) first");
        }
        return hex(file.getParent(), file.getFileName().toString(), "sequence", l.get(0).substring(1));
    }

    private static long hex(Path dir, String file, String what, String v) throws BadMailboxException {
        try {
            if (v.isEmpty() || v.length() > 16) {
                throw new NumberFormatException(v);
            }
            return Long.parseUnsignedLong(v, 16);
        } catch (NumberFormatException e) {
            throw bad(dir, file, "bad " + what + " \"" + shorten(v) + "\"");
        }
    }

    static BadMailboxException bad(Path dir, String file, String why) {
        return new BadMailboxException(dir.resolve(file) + ": " + why + " (not a mix mailbox as c-client writes it)");
    }

    private static String shorten(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    // --- writing, as mix.c's formats (SEQFMT, MTAFMT, IXRFMT, STRFMT)

    /** mix_modseq: the time now, but always above {@code old}. */
    static long modseq(long old) {
        long now = System.currentTimeMillis() / 1000;
        return now <= old ? old + 1 : now;
    }

    static String sequenceRecord(long seq) {
        return String.format("S%08x\r\n", seq);
    }

    /** .mixmeta as mix_meta_update writes it (no K line when there is no keyword). */
    byte[] metaBytes() {
        StringBuilder b = new StringBuilder(sequenceRecord(metaSeq));
        b.append(String.format("V%08x\r\nL%08x\r\nN%08x\r\n", uidValidity, uidLast, newFile));
        if (!keywords.isEmpty()) {
            b.append('K').append(String.join(" ", keywords)).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The {@code YYYYMMDDHHMMSS+ZZZZ} of an index record or a data file's {@code :msg:} line. */
    static String date(ZonedDateTime d) {
        int off = d.getOffset().getTotalSeconds() / 60;
        return String.format("%04d%02d%02d%02d%02d%02d%c%02d%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth(),
                d.getHour(), d.getMinute(), d.getSecond(), off < 0 ? '-' : '+', Math.abs(off) / 60, Math.abs(off) % 60);
    }

    /** .mixindex as mix_index_update writes it. */
    byte[] indexBytes() {
        StringBuilder b = new StringBuilder(sequenceRecord(indexSeq));
        for (Message m : messages) {
            b.append(String.format(":%08x:%s:%08x:%08x:%08x:%08x:%08x:\r\n", m.uid(), date(m.date()), m.size(), m.file(),
                    m.pos(), m.headerOffset(), m.headerSize()));
        }
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** .mixstatus as mix_status_update writes it. */
    byte[] statusBytes() {
        StringBuilder b = new StringBuilder(sequenceRecord(statusSeq));
        for (int i = 0; i < messages.size(); i++) {
            b.append(String.format(":%08x:%08x:%04x:%08x:\r\n", messages.get(i).uid(), userFlags.get(i),
                    systemFlags.get(i), modseq.get(i)));
        }
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    long metaSeq() {
        return metaSeq;
    }

    long indexSeq() {
        return indexSeq;
    }

    long statusSeq() {
        return statusSeq;
    }

    void sequences(long meta, long index, long status) {
        metaSeq = meta;
        indexSeq = index;
        statusSeq = status;
    }

    long newFile() {
        return newFile;
    }

    void newFile(long file) {
        newFile = file;
    }

    /** For a new mailbox of a migration: the source's UIDVALIDITY (only while it has no message). */
    void uidValidity(long v) {
        uidValidity = v;
    }

    /** The next UID (mix_append_msg: ++uid_last), or {@code wanted} if it is above the last (a migration's). */
    long nextUid(long wanted) {
        uidLast = wanted > uidLast ? wanted : uidLast + 1;
        return uidLast;
    }

    /** Adds a message appended to a data file, with its status ({@link #OLD} not set: recent to the next session). */
    void add(Message m, long user, int system, long mod) {
        messages.add(m);
        userFlags.add(user);
        systemFlags.add(system);
        modseq.add(mod);
        recent.add(true);
    }

    void setStatus(int msgno, long user, int system, long mod) {
        userFlags.set(msgno - 1, user);
        systemFlags.set(msgno - 1, system);
        modseq.set(msgno - 1, mod);
    }

    /**
     * Whether this parse begins with every message {@code before} knew, in order (nothing expunged by another
     * session since): then message numbers of {@code before} are good here, and its recent marks are kept
     * (recent is what a message was when the open first read it, not what a later read finds).
     */
    boolean extendsFrom(MixIndex before) {
        if (before.count() > count()) {
            return false;
        }
        for (int n = 1; n <= before.count(); n++) {
            if (before.uid(n) != uid(n)) {
                return false;
            }
        }
        for (int i = 0; i < before.count(); i++) {
            recent.set(i, before.recent.get(i));
        }
        return true;
    }

    /** Drops messages (numbers ascending), as an expunge. */
    void remove(List<Integer> msgnos) {
        for (int i = msgnos.size() - 1; i >= 0; i--) {
            int k = msgnos.get(i) - 1;
            messages.remove(k);
            userFlags.remove(k);
            systemFlags.remove(k);
            modseq.remove(k);
            recent.remove(k);
        }
    }

    /**
     * The keyword bits of {@code names}, new names added to the list (up to c-client's 30, each at most 50
     * bytes), or an error naming the one that does not fit. Matching is case-insensitive, as c-client's.
     */
    long keywordBits(List<String> names, Path dir) throws StorageException {
        long bits = 0;
        for (String k : names) {
            int i = keywordIndex(k);
            if (i < 0) {
                if (keywords.size() >= MAX_KEYWORDS || k.length() > MAX_KEYWORD_LENGTH) {
                    throw new StorageException(StorageException.Category.INVALID_INPUT, dir + ": keyword " + k
                            + " cannot be kept: a mix mailbox keeps " + MAX_KEYWORDS + " keywords of up to "
                            + MAX_KEYWORD_LENGTH + " bytes (it has " + keywords.size() + ")");
                }
                keywords.add(k);
                i = keywords.size() - 1;
            }
            bits |= 1L << i;
        }
        return bits;
    }

    /** The bits of those names the mailbox knows (unknown ones have no bit to clear). */
    long knownKeywordBits(List<String> names) {
        long bits = 0;
        for (String k : names) {
            int i = keywordIndex(k);
            if (i >= 0) {
                bits |= 1L << i;
            }
        }
        return bits;
    }

    private int keywordIndex(String k) {
        for (int j = 0; j < keywords.size(); j++) {
            if (keywords.get(j).equalsIgnoreCase(k)) {
                return j;
            }
        }
        return -1;
    }

    static int statusBits(int flags) {
        return ((flags & Flags.SEEN) != 0 ? SEEN : 0) | ((flags & Flags.DELETED) != 0 ? DELETED : 0)
                | ((flags & Flags.FLAGGED) != 0 ? FLAGGED : 0) | ((flags & Flags.ANSWERED) != 0 ? ANSWERED : 0)
                | ((flags & Flags.DRAFT) != 0 ? DRAFT : 0);
    }

    long uidValidity() {
        return uidValidity;
    }

    long uidLast() {
        return uidLast;
    }

    List<String> keywordNames() {
        return List.copyOf(keywords);
    }

    Message message(int msgno) {
        return messages.get(msgno - 1);
    }

    long userFlags(int msgno) {
        return userFlags.get(msgno - 1);
    }

    int systemFlags(int msgno) {
        return systemFlags.get(msgno - 1);
    }

    @Override
    public int count() {
        return messages.size();
    }

    @Override
    public long uid(int msgno) {
        return messages.get(msgno - 1).uid();
    }

    @Override
    public int flags(int msgno) {
        int s = systemFlags.get(msgno - 1);
        return ((s & SEEN) != 0 ? Flags.SEEN : 0) | ((s & DELETED) != 0 ? Flags.DELETED : 0)
                | ((s & FLAGGED) != 0 ? Flags.FLAGGED : 0) | ((s & ANSWERED) != 0 ? Flags.ANSWERED : 0)
                | ((s & DRAFT) != 0 ? Flags.DRAFT : 0);
    }

    /** Recent: no session had marked it old (fOLD, 0x10, in its status) when this open first read it. */
    @Override
    public boolean recent(int msgno) {
        return recent.get(msgno - 1);
    }

    @Override
    public List<String> keywords(int msgno) {
        long bits = userFlags.get(msgno - 1);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < keywords.size() && i < 64; i++) {
            if ((bits & (1L << i)) != 0) {
                out.add(keywords.get(i));
            }
        }
        return out;
    }

    @Override
    public ZonedDateTime internalDate(int msgno) {
        return messages.get(msgno - 1).date();
    }
}
