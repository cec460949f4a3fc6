package org.spoollock.store.mbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.spoollock.store.Flags;

/**
 * What c-client knows of an mbox after parsing it: where each message lies, its flags, keywords, UID,
 * internal date and RFC822 size, and the mailbox's UIDVALIDITY, last UID and keyword list. Parsed by
 * {@link MboxParser} exactly as c-client's unix driver parses; the hidden pseudo-message is kept
 * apart (it is not a message). Memory is about 42 bytes per message for a file under 2 GiB (see the
 * columns below), whatever the mailbox's size:
 * contents stay in the file.
 *
 * <p>Layout of message {@code n}: its From_ line at {@link #start}, {@link #fromLength} bytes; the
 * header (status headers included, blank line included), {@link #headerLength} bytes; the text,
 * {@link #textLength} bytes; then the newline that separates it from the next From_ line (not part
 * of the message), when there is one.
 */
public final class MboxIndex implements org.spoollock.store.MessageIndex {
    /** Flag bit: no "O" in Status (c-client's \Recent). */
    static final int RECENT = 0x100;
    /** Flag bit: c-client would rewrite this message's status at its next checkpoint. */
    static final int DIRTY = 0x200;

    /** Flag bit: the From_ line's date could not be parsed (no internal date). */
    private static final int NO_DATE = 0x400;

    private int n;
    // one column per field; the long ones hold ints while the values fit (CompactLongs): about 42 bytes
    // per message for a file under 2 GiB, whose offsets, lengths, UIDs and dates (to 2038) all fit
    private final CompactLongs start = new CompactLongs(16);
    private int[] fromLen = new int[16];
    private int[] headerLen = new int[16];
    private final CompactLongs textLen = new CompactLongs(16);
    private int[] keptHeader = new int[16];
    private final CompactLongs size = new CompactLongs(16);
    private int[] flags = new int[16];
    private int[] keywords = new int[16];
    private final CompactLongs uid = new CompactLongs(16);
    private final CompactLongs date = new CompactLongs(16);
    private short[] zone = new short[16];

    long uidValidity;
    long uidLast;
    final List<String> keywordNames = new ArrayList<>();
    /** Location of the pseudo-message, or -1. */
    long pseudoStart = -1;
    long pseudoEnd;
    /** File size parsed so far, and its modification time then. */
    long parsedSize;
    /** Whether c-client would rewrite the mailbox at its next checkpoint (new UIDs, new UIDVALIDITY...). */
    boolean dirty;
    final List<String> warnings = new ArrayList<>();

    /** How the file delimits its messages (mbox or mmdf). */
    final Framing framing;

    MboxIndex(Framing framing) {
        this.framing = framing;
    }

    /** Thrown when the file does not start like an mbox (c-client: "not a UNIX-format mailbox"). */
    public static final class NotAnMboxException extends org.spoollock.store.BadMailboxException {
        private static final long serialVersionUID = 1L;

        NotAnMboxException(String message) {
            super(message);
        }
    }

    /**
     * Parses a mailbox read-only, without locking it (callers that share the mailbox take a
     * {@link org.spoollock.lock.MailboxLock} first). An empty file has no messages.
     */
    public static MboxIndex scan(Path mailbox) throws IOException {
        try (FileChannel ch = FileChannel.open(mailbox, StandardOpenOption.READ)) {
            return scan(ch, mailbox);
        }
    }

    /** Parses the whole of an open mailbox. */
    public static MboxIndex scan(FileChannel ch, Path name) throws IOException {
        return scan(ch, name, Framing.UNIX);
    }

    /** Parses the whole of an open mailbox of the given framing (mbox or mmdf). */
    public static MboxIndex scan(FileChannel ch, Path name, Framing framing) throws IOException {
        return scan(ch, name, framing, Integer.getInteger("spoollock.parse.threads", Runtime.getRuntime().availableProcessors()),
                Long.getLong("spoollock.parse.chunkBytes", 0L));
    }

    /** The whole file: in parts on {@code threads} where {@link ParallelScan} finds that worth it (mbox framing), else in one piece. */
    private static MboxIndex scan(FileChannel ch, Path name, Framing framing, int threads, long partBytes) throws IOException {
        long size = ch.size();
        MboxIndex index = framing == Framing.UNIX ? ParallelScan.scan(ch, name, size, threads, partBytes) : null;
        if (index == null) {
            index = new MboxIndex(framing);
            new MboxParser(index, name).parse(ch, size);
        }
        index.trim();
        return index;
    }

    /**
     * The whole of an open mbox parsed in parts of {@code partBytes} (at least two) on up to {@code threads}
     * threads, as {@link #scan(FileChannel, Path, Framing)} does for a large file on several cores; the
     * same index as a parse in one piece. For checking the one against the other (the tests, the fuzzers):
     * a small part size puts a part boundary at every few messages.
     */
    public static MboxIndex scanInParts(FileChannel ch, Path name, long partBytes, int threads) throws IOException {
        if (partBytes <= 0 || threads < 2) {
            throw new IllegalArgumentException("parts of " + partBytes + " bytes on " + threads + " threads");
        }
        return scan(ch, name, Framing.UNIX, threads, partBytes);
    }

    /** Messages as c-client counts them (the pseudo-message excluded). */
    public int count() {
        return n;
    }

    public boolean hasPseudoMessage() {
        return pseudoStart >= 0;
    }

    /** UIDVALIDITY: stored in X-IMAP / X-IMAPbase, or (as c-client does) the time of this parse if none was. */
    public long uidValidity() {
        return uidValidity;
    }

    /** Last UID assigned (stored ones and those assigned by this parse). */
    public long uidLast() {
        return uidLast;
    }

    public long uidNext() {
        return uidLast + 1;
    }

    /** The mailbox's keywords, in the order c-client numbers them (at most 30). */
    public List<String> keywordNames() {
        return Collections.unmodifiableList(keywordNames);
    }

    /** Whether c-client, having opened this mailbox read-write, would rewrite it on close. */
    public boolean needsCheckpoint() {
        return dirty;
    }

    /** c-client's warnings for this parse (bogus status headers, UIDs that go backwards...). */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    /** Bytes of the file this index covers. */
    public long fileSize() {
        return parsedSize;
    }

    private int check(int msgno) {
        if (msgno < 1 || msgno > n) {
            throw new IndexOutOfBoundsException("message " + msgno + " of " + n);
        }
        return msgno - 1;
    }

    /** Byte offset of the From_ line of message {@code msgno} (1-based). */
    public long start(int msgno) {
        return start.get(check(msgno));
    }

    public int fromLength(int msgno) {
        return fromLen[check(msgno)];
    }

    public int headerLength(int msgno) {
        return headerLen[check(msgno)];
    }

    public long textLength(int msgno) {
        return textLen.get(check(msgno));
    }

    /** Offset just past the message text (where its separating newline, if any, lies). */
    public long end(int msgno) {
        int i = check(msgno);
        return start.get(i) + fromLen[i] + headerLen[i] + textLen.get(i);
    }

    /** Header bytes c-client keeps (status headers and stray continuations dropped, CRs not counted), blank line excluded. */
    int keptHeaderLength(int msgno) {
        return keptHeader[check(msgno)];
    }

    /** RFC822 size as c-client reports it: CRLF line ends, status headers excluded. */
    public long size(int msgno) {
        return size.get(check(msgno));
    }

    /** System flags ({@link Flags} bits). */
    public int flags(int msgno) {
        return flags[check(msgno)] & Flags.ALL;
    }

    public boolean recent(int msgno) {
        return (flags[check(msgno)] & RECENT) != 0;
    }

    boolean dirty(int msgno) {
        return (flags[check(msgno)] & DIRTY) != 0;
    }

    /** Keyword bits: bit i is {@code keywordNames().get(i)}. */
    public int keywordBits(int msgno) {
        return keywords[check(msgno)];
    }

    public List<String> keywords(int msgno) {
        int bits = keywords[check(msgno)];
        List<String> out = new ArrayList<>();
        for (int i = 0; i < keywordNames.size(); i++) {
            if ((bits & (1 << i)) != 0) {
                out.add(keywordNames.get(i));
            }
        }
        return out;
    }

    public long uid(int msgno) {
        return uid.get(check(msgno));
    }

    /** Message number of a UID, or 0 if no message has it. */
    public int msgnoOf(long u) {
        int i = uid.binarySearch(n, u);
        return i >= 0 ? i + 1 : 0;
    }

    /** Internal date, from the From_ line (null if c-client could not parse it either). */
    public ZonedDateTime internalDate(int msgno) {
        int i = check(msgno);
        if ((flags[i] & NO_DATE) != 0) {
            return null;
        }
        return Instant.ofEpochSecond(date.get(i)).atZone(ZoneOffset.ofTotalSeconds(zone[i] * 60));
    }

    // ---- filled by the parser ----

    int add(long from, int fromLength) {
        if (n == fromLen.length) {
            resize(n * 2);
        }
        int i = n++;
        start.set(i, from);
        fromLen[i] = fromLength;
        headerLen[i] = 0;
        textLen.set(i, 0);
        keptHeader[i] = 0;
        size.set(i, 0);
        flags[i] = RECENT | NO_DATE;
        keywords[i] = 0;
        uid.set(i, 0);
        date.set(i, 0);
        zone[i] = 0;
        return i;
    }

    /** Appends every message of {@code part} (a parallel scan's part, parsed from a later boundary) as it stands. */
    void appendAll(MboxIndex part) {
        for (int j = 0; j < part.n; j++) {
            int i = add(part.start.get(j), part.fromLen[j]);
            headerLen[i] = part.headerLen[j];
            textLen.set(i, part.textLen.get(j));
            keptHeader[i] = part.keptHeader[j];
            size.set(i, part.size.get(j));
            flags[i] = part.flags[j];
            keywords[i] = part.keywords[j];
            uid.set(i, part.uid.get(j));
            date.set(i, part.date.get(j));
            zone[i] = part.zone[j];
        }
    }

    private void resize(int cap) {
        start.resize(cap);
        fromLen = Arrays.copyOf(fromLen, cap);
        headerLen = Arrays.copyOf(headerLen, cap);
        textLen.resize(cap);
        keptHeader = Arrays.copyOf(keptHeader, cap);
        size.resize(cap);
        flags = Arrays.copyOf(flags, cap);
        keywords = Arrays.copyOf(keywords, cap);
        uid.resize(cap);
        date.resize(cap);
        zone = Arrays.copyOf(zone, cap);
    }

    /**
     * After a whole parse: the columns keep an eighth of room for new mail rather than up to double the
     * messages (the doubling while parsing would otherwise stay for as long as the mailbox is open).
     */
    void trim() {
        int cap = Math.max(16, n + n / 8);
        if (cap < fromLen.length) {
            resize(cap);
        }
    }

    /** Bytes the columns take per message slot now (for the memory report). */
    int bytesPerMessage() {
        return start.bytesPerSlot() + textLen.bytesPerSlot() + size.bytesPerSlot() + uid.bytesPerSlot()
                + date.bytesPerSlot() + 4 * 5 + 2;
    }

    /** Drops the last message (the parser found it was the pseudo-message). */
    void removeLast() {
        n--;
    }

    void setDate(int i, ZonedDateTime d) {
        if (d != null) {
            date.set(i, d.toEpochSecond());
            zone[i] = (short) (d.getOffset().getTotalSeconds() / 60);
            flags[i] &= ~NO_DATE;
        }
    }

    void setHeader(int i, int rawLength, int kept) {
        headerLen[i] = rawLength;
        keptHeader[i] = kept;
    }

    void setText(int i, long length) {
        textLen.set(i, length);
    }

    void addSize(int i, long bytes) {
        size.add(i, bytes);
    }

    void orFlags(int i, int bits) {
        flags[i] |= bits;
    }

    void clearFlags(int i, int bits) {
        flags[i] &= ~bits;
    }

    int rawFlags(int i) {
        return flags[i];
    }

    void orKeywords(int i, int bits) {
        keywords[i] |= bits;
    }

    void setUid(int i, long u) {
        uid.set(i, u);
    }

    long rawUid(int i) {
        return uid.get(i);
    }

    int last() {
        return n - 1;
    }

    // ---- changed by the store, on a read-write open ----

    void setFlags(int msgno, int systemFlags, int keywordBits) {
        int i = check(msgno);
        int old = flags[i];
        int now = (old & ~Flags.ALL) | (systemFlags & Flags.ALL);
        if (now != old || keywords[i] != keywordBits) {
            flags[i] = now | DIRTY;
            keywords[i] = keywordBits;
            dirty = true;
        }
    }

    /** Index of a keyword, adding it to the mailbox's list when there is room (c-client allows 30). */
    int keywordIndex(String name, boolean create) {
        for (int i = 0; i < keywordNames.size(); i++) {
            if (keywordNames.get(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        if (!create) {
            return -1;
        }
        if (keywordNames.size() >= MboxParser.MAX_KEYWORDS) {
            throw new IllegalArgumentException("no room for keyword " + name + ": an mbox holds at most "
                    + MboxParser.MAX_KEYWORDS + " keywords (c-client's limit)");
        }
        keywordNames.add(name);
        dirty = true;
        // c-client writes the keyword list in message 1's X-IMAPbase (or the pseudo-message)
        if (n > 0) {
            flags[0] |= DIRTY;
        }
        return keywordNames.size() - 1;
    }
}
