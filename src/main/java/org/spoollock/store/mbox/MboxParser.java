package org.spoollock.store.mbox;

import org.spoollock.store.MailboxChangedException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

import org.spoollock.store.Flags;

/**
 * c-client's unix_parse, rule for rule, so that every count, boundary, flag, UID and size agrees
 * with what imapd and mailutil see:
 * <ul>
 * <li>leading blank lines skipped (not blanks before the From_ line on its own line: c-client's unix
 *     driver refuses those); the first line must pass the VALID From_ test ({@link FromLine});
 * <li>the header runs to the first empty line; only body lines can start a new message;
 * <li>{@code Status:} (R, O), {@code X-Status:} (D F A T), {@code X-Keywords:} (only the mailbox's
 *     known keywords), {@code X-UID:} (believed only under a UIDVALIDITY, and only if increasing),
 *     {@code X-IMAP:} / {@code X-IMAPbase:} in message 1 (UIDVALIDITY, last UID, keyword list; X-IMAP
 *     marks the hidden pseudo-message); these are not part of the message, nor are the same names in
 *     another case ("bogus"), nor continuation lines that follow them;
 * <li>sizes: every kept header line and body line counted with CRLF line ends and no bare CRs; the
 *     newline before the next From_ line belongs to the separator;
 * <li>a message without a believable X-UID gets the next UID; a mailbox without UIDVALIDITY gets
 *     the parse's time as one.
 * </ul>
 */
final class MboxParser {
    /** c-client's NUSERFLAGS. */
    static final int MAX_KEYWORDS = 30;
    /** c-client's MAXUSERFLAG. */
    static final int MAX_KEYWORD_LENGTH = 64;

    private final MboxIndex index;
    private final Path name;
    /**
     * c-client keeps "retain" across the messages of one parse call, but the blank line ending each
     * header sets it again; so do we.
     */
    private boolean retain = true;
    private boolean pseudoSeen;
    private long prevUid;
    /** How this parser takes part in a parallel scan (see {@link ParallelScan}); {@link Role#WHOLE} otherwise. */
    private final Role role;
    /** A part's X-UIDs and numbered warnings, in the order its lines gave them, for the lead to replay. */
    private final java.util.List<Deferred> deferred = new java.util.ArrayList<>();
    /** Told the keyword list once message 1's header is read (the lead of a parallel scan). */
    private java.util.function.Consumer<java.util.List<String>> keywordsKnown;

    /**
     * A parser's part in a scan: the whole file (or its new tail); the lead of a parallel scan, which
     * parses from the start but leaves the end-of-parse rules to {@link #finish} after it has adopted the
     * parts; or a part, which starts at a message boundary found for it and defers everything that depends
     * on the messages before it (UIDs, numbered warnings).
     */
    enum Role { WHOLE, LEAD, PART }

    /** What a part could not decide alone: an X-UID value, or a warning that names its message's number. */
    record Deferred(int message, boolean isUid, long uid, String before, String after) {
    }

    MboxParser(MboxIndex index, Path name) {
        this(index, name, Role.WHOLE);
    }

    MboxParser(MboxIndex index, Path name, Role role) {
        this.index = index;
        this.name = name;
        this.role = role;
        this.prevUid = index.count() > 0 ? index.uid(index.count()) : 0;
    }

    /** For the lead: called with the keyword list as soon as message 1's header has been read. */
    void onKeywordsKnown(java.util.function.Consumer<java.util.List<String>> c) {
        this.keywordsKnown = c;
    }

    /** A part's deferred X-UIDs and warnings, in order. */
    java.util.List<Deferred> deferred() {
        return deferred;
    }

    /**
     * Parses {@code [index.parsedSize, size)}: the whole file the first time, the tail that has
     * grown since on later calls. A tail that does not start with a From_ line means the file was
     * changed under us.
     */
    void parse(FileChannel ch, long size) throws IOException {
        parse(ch, size, null);
    }

    /** {@link #parse(FileChannel, long)} through {@code buffer} if not null (see {@link LineReader}). */
    void parse(FileChannel ch, long size, byte[] buffer) throws IOException {
        long from = index.parsedSize;
        if (size < from) {
            throw new MailboxChangedException(name + ": mailbox shrank from " + from + " to " + size
                    + " bytes since it was read (rewritten by another program?); reopen it");
        }
        boolean first = from == 0 && index.count() == 0 && index.pseudoStart < 0;
        LineReader in = buffer != null ? new LineReader(ch, from, size, buffer) : new LineReader(ch, from, size);
        if (index.framing == Framing.MMDF) {
            if (in.skipBlank()) { // c-client skips blank bytes before the first delimiter "for broken MTAs"
                parseMmdf(in, first);
            }
        } else if (in.skipBlank()) {
            long offset = in.position();
            int indent = in.indent();
            Line line = in.next();
            if (line == null || indent > 0 || !FromLine.isValid(line.buf, line.start, line.end)) {
                String what = line == null ? "" : indent > 0 ? ": the line starts with " + indent + " blank byte(s)"
                        : ": \"" + preview(line) + "\"";
                offset -= indent;
                if (first) {
                    throw new MboxIndex.NotAnMboxException(name + ": not an mbox: offset " + offset
                            + " is not a From_ line c-client accepts" + what);
                }
                throw new MailboxChangedException(name + ": unexpected changes to mailbox: new data at offset " + offset
                        + " does not start with a From_ line" + what + "; reopen it");
            }
            parseMessages(in, offset, line, first);
        }
        index.parsedSize = size;
    }

    private void parseMessages(LineReader in, long offset, Line fromLine, boolean first) throws IOException {
        TextRun text = new TextRun();
        Line line = fromLine;
        boolean messageOne = first;
        for (; line != null; messageOne = false) {
            int i = index.add(offset, (int) line.length);
            index.setDate(i, FromLine.internalDate(line.buf, line.start, line.end));
            // ---- header ----
            long headerStart = in.position();
            HeaderSize h = new HeaderSize();
            while ((line = in.next()) != null) {
                if (h.add(i, line, messageOne)) {
                    break;
                }
            }
            long textStart = in.position();
            index.setHeader(i, (int) (textStart - headerStart), (int) h.kept());
            index.addSize(i, h.counted);
            if (role != Role.PART) {
                headerDone(i, messageOne);
            }
            if (messageOne && keywordsKnown != null) {
                keywordsKnown.accept(java.util.List.copyOf(index.keywordNames));
            }
            // ---- body: its lines added up, to the next From_ line ----
            offset = -1;
            if (line != null) {
                line = in.nextFromLine(text);
                if (line != null) {
                    offset = text.end;
                }
            } else {
                text.clear(textStart);
            }
            // each line counted with CRLF and without bare CRs; the last blank line (bytes of "\n" or
            // "\r\n", counted as 2) is the separator, not the message's
            long textEnd = text.end;
            int trailing = text.last;
            int trailingSize = trailing != 0 ? 2 : 0;
            index.setText(i, textEnd - textStart - trailing);
            index.addSize(i, text.bytes - text.crs + text.lfs - trailingSize);
            messageDone(messageOne, textEnd);
        }
        if (role == Role.WHOLE) {
            parseDone();
        }
    }

    /**
     * The lead of a parallel scan: appends a part's messages (parsed from the next message boundary on)
     * and replays what the part deferred, message by message in file order, as a whole parse would have
     * met it: the X-UID rule (which depends on the UIDs before), the numbered warnings, then the end of
     * the header (a UID for a message without one).
     */
    void adopt(MboxIndex part, java.util.List<Deferred> events) {
        int base = index.count();
        index.appendAll(part);
        int e = 0;
        for (int j = 0; j < part.count(); j++) {
            int i = base + j;
            for (; e < events.size() && events.get(e).message() == j; e++) {
                Deferred d = events.get(e);
                if (d.isUid()) {
                    xuid(i, d.uid(), false);
                } else {
                    index.warnings.add(d.before() + (i + 1) + d.after());
                }
            }
            headerDone(i, false);
        }
    }

    /** The lead of a parallel scan, after adopting every part: the end-of-parse rules, over the whole file. */
    void finish(long size) {
        parseDone();
        index.parsedSize = size;
    }

    /**
     * c-client's mmdf_parse. A message is a delimiter line, a From_ line, the header, and the text up to
     * the next delimiter, which ends it; the next message's delimiter follows at once. Where c-client
     * differs from its unix parse, so does this:
     * <ul>
     * <li>a From_ line that is not VALID (by the mmdf driver's own copy of the rule, which takes no CRLF:
     *     {@link FromLine#isValidMmdf}) is read as the header's first line, and the message is dated by the
     *     file's modification time (UTC), as c-client does;
     * <li>a delimiter inside the header ends the message (no text); every text line counts, the last
     *     included (no separator newline);
     * <li>a line that ends in the delimiter is two lines ({@link #mmdfLine});
     * <li>where a delimiter should start a message and another line is found, the delimiter just before it
     *     (the last message's trailer) starts the message instead, as c-client backs up over it.
     * </ul>
     */
    private void parseMmdf(LineReader in, boolean first) throws IOException {
        long offset = in.position();
        Line line = mmdfLine(in);
        if (!delimiter(line)) {
            String what = line == null ? "" : ": \"" + preview(line) + "\"";
            boolean backedUp = false;
            if (line != null && offset > 5) {
                in.seek(offset - 5);
                line = mmdfLine(in);
                backedUp = delimiter(line);
                offset -= 5;
            }
            if (!backedUp) {
                if (first) {
                    throw new MboxIndex.NotAnMboxException(name + ": not an mmdf mailbox: offset " + offset
                            + " is not the ^A^A^A^A line that starts each message" + what);
                }
                throw new MailboxChangedException(name + ": unexpected changes to mailbox: new data at offset " + offset
                        + " does not start with the ^A^A^A^A line" + what + "; reopen it");
            }
        }
        for (boolean messageOne = first; ; messageOne = false) {
            // line: the delimiter at offset
            Line fromLine = mmdfLine(in);
            boolean valid = fromLine != null && FromLine.isValidMmdf(fromLine.buf, fromLine.start, fromLine.end);
            int i = index.add(offset, 5 + (valid ? (int) fromLine.length : 0));
            if (valid) {
                index.setDate(i, FromLine.internalDateMmdf(fromLine.buf, fromLine.start, fromLine.end));
            } else {
                index.setDate(i, fileDate());
                in.seek(offset + 5); // the line is the header's first
            }
            // ---- header ----
            long headerStart = in.position();
            HeaderSize h = new HeaderSize();
            long delimiterAt = -1;
            boolean eof = true;
            while (true) {
                long at = in.position();
                line = mmdfLine(in);
                if (line == null) {
                    break;
                }
                if (delimiter(line)) {
                    delimiterAt = at; // no blank line: c-client adds one when it hands the header out
                    eof = false;
                    break;
                }
                if (h.add(i, line, messageOne)) {
                    eof = false;
                    break;
                }
            }
            long textStart = delimiterAt >= 0 ? delimiterAt : in.position();
            index.setHeader(i, (int) (textStart - headerStart), (int) h.kept());
            index.addSize(i, h.counted);
            headerDone(i, messageOne);
            // ---- text ----
            long textEnd = textStart;
            long body = 0;
            if (!eof && delimiterAt < 0) {
                while (true) {
                    long at = in.position();
                    line = mmdfLine(in);
                    if (line == null) {
                        break;
                    }
                    if (delimiter(line)) {
                        delimiterAt = at;
                        break;
                    }
                    body += line.length - line.crs + (line.endsWithNewline() ? 1 : 0);
                    textEnd = in.position();
                }
            }
            index.setText(i, textEnd - textStart);
            index.addSize(i, body);
            messageDone(messageOne, textEnd);
            if (delimiterAt < 0) {
                break; // the end of the file, the last message without its trailer
            }
            long nextAt = in.position();
            line = mmdfLine(in);
            if (line == null) {
                break;
            }
            if (delimiter(line)) {
                offset = nextAt;
            } else { // c-client backs up: the trailer just read starts this message too
                in.seek(delimiterAt);
                line = mmdfLine(in);
                offset = delimiterAt;
            }
        }
        parseDone();
    }

    /** Whether the line mmdfLine just gave is a delimiter (not a line's first part that looks like one). */
    private boolean delimiter(Line l) {
        return l != null && !split && Framing.isDelimiter(l.buf, l.start, l.end);
    }

    /** The last line {@link #mmdfLine} gave was cut before a delimiter. */
    private boolean split;

    /**
     * The next line as c-client's mmdf_mbxline reads it: a line of more than six bytes that ends in the
     * delimiter is cut before the delimiter, which is read next, and its last byte becomes a newline in
     * what is counted (c-client overwrites it so; the file is not changed). The first part is text even where
     * that makes it look like a delimiter ({@code ^A^A^A^Ax^A^A^A^A}): c-client's buffer then reads as one
     * and it would start a message at bytes that are not a delimiter in the file, which no reader could
     * check again; here it is the text line it is in the file.
     */
    private Line mmdfLine(LineReader in) throws IOException {
        Line l = in.next();
        split = false;
        if (l != null && Framing.endsWithDelimiter(l.buf, l.start, l.end)) {
            in.seek(in.position() - 5);
            l.end -= 5;
            l.length -= 5;
            if (l.buf[l.end - 1] == '\r') {
                l.crs--;
            }
            l.buf[l.end - 1] = '\n';
            split = true;
        }
        return l;
    }

    /** c-client's date for a message without a VALID From_ line: the file's modification time, in UTC. */
    private java.time.ZonedDateTime fileDate() {
        try {
            return java.nio.file.Files.getLastModifiedTime(name).toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    .atZone(java.time.ZoneOffset.UTC);
        } catch (IOException e) {
            return java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        }
    }

    /** One header's sizes as its lines are read: c-client's kept ("internal") header size and RFC822 size. */
    private final class HeaderSize {
        private long kept;
        long counted;
        private boolean blank;

        /** Adds a header line; true when it is the blank line that ends the header. */
        boolean add(int i, Line line, boolean messageOne) {
            if (line.isEmpty()) {
                kept += 1;
                counted += 2;
                blank = true;
                // c-client passes the blank line through its ordinary-header case, which sets retain: a
                // continuation line opening the next header is kept
                retain = true;
                return true;
            }
            if (headerLine(i, line, messageOne)) {
                long k = line.length - line.crs;
                kept += k;
                counted += k + 1;
            }
            return false;
        }

        /** The kept size, without the blank line's newline (c-client: "internal header sans trailing newline"). */
        long kept() {
            return blank ? kept - 1 : kept;
        }
    }

    /** After message {@code i}'s header: a UID for it if it had none it can keep (c-client's rule). */
    private void headerDone(int i, boolean messageOne) {
        if (!(messageOne && pseudoSeen) && index.rawUid(i) == 0) {
            prevUid = ++index.uidLast;
            index.setUid(i, prevUid);
            index.orFlags(i, MboxIndex.DIRTY);
            index.dirty = true;
        } else if ((index.rawFlags(i) & MboxIndex.RECENT) != 0) {
            index.orFlags(i, MboxIndex.DIRTY);
        }
    }

    /** After a message's text: message one that carried X-IMAP is the pseudo-message, not a message. */
    private void messageDone(boolean messageOne, long textEnd) {
        if (messageOne && pseudoSeen) {
            index.pseudoStart = index.start(1);
            index.pseudoEnd = textEnd;
            index.removeLast();
        }
    }

    /** After the parse: a UIDVALIDITY if the mailbox had none, and the checkpoint that sets O flags. */
    private void parseDone() {
        if (index.uidValidity == 0) {
            index.uidValidity = System.currentTimeMillis() / 1000;
            if (index.count() > 0) {
                index.dirty = true;
                index.orFlags(0, MboxIndex.DIRTY);
            }
        }
        for (int k = 0; k < index.count(); k++) {
            if ((index.rawFlags(k) & MboxIndex.RECENT) != 0) {
                index.dirty = true; // so O flags are set at the next checkpoint
                break;
            }
        }
    }

    /** One header line of message {@code i}: reads c-client's status headers; true if the line is kept. */
    private boolean headerLine(int i, Line l, boolean messageOne) {
        int c0 = l.at(0);
        if (c0 == 'X' && l.at(1) == '-') {
            if (l.startsWith("X-Status:")) {
                statusFlags(i, l, 8);
                retain = false;
                return false;
            }
            if (l.startsWith("X-Keywords:")) {
                retain = false;
                keywords(i, l, 11);
                return false;
            }
            boolean imap = l.startsWith("X-IMAP:");
            if (imap || l.startsWith("X-IMAPbase:")) {
                retain = false;
                if (messageOne && index.uidValidity == 0) {
                    uidBase(l, imap ? 7 : 11, imap);
                }
                return false;
            }
            if (l.startsWith("X-UID:")) {
                retain = false;
                xuid(i, l, messageOne);
                return false;
            }
        } else if (l.startsWith("Status:")) {
            retain = false;
            statusFlags(i, l, 6);
            return false;
        }
        if (c0 == 'S' || c0 == 's' || ((c0 == 'X' || c0 == 'x') && l.at(1) == '-')) {
            String field = fieldName(l);
            if (isStatusHeaderName(field)) {
                warn(i, "Discarding bogus " + field + " header in message ", "");
                retain = false;
                return false;
            }
        }
        if (retain || (c0 != ' ' && c0 != '\t')) {
            retain = true;
            return true;
        }
        warn(i, "Discarding bogus continuation in msg ", ": " + preview(l));
        return false;
    }

    /** A warning about message {@code i}: its number between the two texts (a part's: when the lead knows it). */
    private void warn(int i, String before, String after) {
        if (role == Role.PART) {
            deferred.add(new Deferred(i, false, 0, before, after));
        } else {
            index.warnings.add(before + (i + 1) + after);
        }
    }

    static boolean isStatusHeaderName(String field) {
        switch (field.toUpperCase(Locale.ROOT)) {
            case "STATUS": case "X-STATUS": case "X-KEYWORDS": case "X-UID": case "X-IMAP": case "X-IMAPBASE":
                return true;
            default:
                return false;
        }
    }

    /**
     * Whether byte {@code c} ends a field name as c-client reads it: ':', blank, line end, or NUL (the
     * name is a C string to it). Other control bytes are part of the name: "X-UID\001:" is kept as an
     * ordinary header, "X-UID\0:" dropped as a bogus X-UID (checked with cclient-mbox list).
     */
    static boolean endsFieldName(int c) {
        return c == ':' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0;
    }

    /** The field name as c-client's header filter reads it: up to {@link #endsFieldName}. */
    private static String fieldName(Line l) {
        StringBuilder b = new StringBuilder();
        for (int p = l.start; p < l.end && p - l.start < 1000; p++) {
            int c = l.buf[p] & 0xff;
            if (endsFieldName(c)) {
                break;
            }
            b.append((char) c);
        }
        return b.toString();
    }

    private void statusFlags(int i, Line l, int from) {
        for (int p = l.start + from; p < l.end; p++) {
            switch (l.buf[p]) {
                case 'R': index.orFlags(i, Flags.SEEN); break;
                case 'O': index.clearFlags(i, MboxIndex.RECENT); break;
                case 'D': index.orFlags(i, Flags.DELETED); break;
                case 'F': index.orFlags(i, Flags.FLAGGED); break;
                case 'A': index.orFlags(i, Flags.ANSWERED); break;
                case 'T': index.orFlags(i, Flags.DRAFT); break;
                default: break;
            }
        }
    }

    private void keywords(int i, Line l, int from) {
        for (String word : words(l, from)) {
            if (word.length() <= MAX_KEYWORD_LENGTH) {
                int k = index.keywordIndex(word, false);
                if (k >= 0) {
                    index.orKeywords(i, 1 << k);
                }
            }
        }
    }

    /** Space-separated words after {@code from}, up to the line end (CR LF or LF). */
    private static java.util.List<String> words(Line l, int from) {
        java.util.List<String> out = new java.util.ArrayList<>();
        int end = l.end;
        while (end > l.start && (l.buf[end - 1] == '\n' || l.buf[end - 1] == '\r')) {
            end--;
        }
        int p = l.start + from;
        while (p < end) {
            while (p < end && l.buf[p] == ' ') {
                p++;
            }
            int q = p;
            while (q < end && l.buf[q] != ' ' && l.buf[q] != '\r' && l.buf[q] != '\n') {
                q++;
            }
            if (q > p) {
                out.add(new String(l.buf, p, q - p, StandardCharsets.ISO_8859_1));
            }
            p = Math.max(q, p + 1);
        }
        return out;
    }

    private void uidBase(Line l, int from, boolean imap) {
        int p = l.start + from;
        while (p < l.end && l.buf[p] == ' ') {
            p++;
        }
        long validity = 0;
        while (p < l.end && isDigit(l.buf[p])) {
            validity = validity * 10 + (l.buf[p++] - '0');
        }
        while (p < l.end && l.buf[p] == ' ') {
            p++;
        }
        if (validity == 0 || p >= l.end || !isDigit(l.buf[p])) {
            return;
        }
        long last = 0;
        while (p < l.end && isDigit(l.buf[p])) {
            last = last * 10 + (l.buf[p++] - '0');
        }
        if (imap) {
            pseudoSeen = true;
        }
        index.uidValidity = validity;
        index.uidLast = last;
        index.keywordNames.clear();
        for (String word : words(l, p - l.start)) {
            if (index.keywordNames.size() < MAX_KEYWORDS && word.length() <= MAX_KEYWORD_LENGTH) {
                index.keywordNames.add(word);
            }
        }
    }

    private void xuid(int i, Line l, boolean messageOne) {
        int p = l.start + 6;
        while (p < l.end && l.buf[p] == ' ') {
            p++;
        }
        long u = 0;
        while (p < l.end && isDigit(l.buf[p])) {
            u = u * 10 + (l.buf[p++] - '0');
        }
        if (role == Role.PART) {
            deferred.add(new Deferred(i, true, u, null, null));
        } else {
            xuid(i, u, messageOne);
        }
    }

    /** c-client's rule for a message's X-UID value {@code u}: kept if it is above the one before, else the UIDs are reset. */
    private void xuid(int i, long u, boolean messageOne) {
        if (index.uidValidity == 0 || (messageOne && pseudoSeen)) {
            return;
        }
        int shown = pseudoSeen ? i : i + 1;
        String problem;
        if (index.rawUid(i) != 0) {
            problem = "Message " + shown + " UID " + u + " already has UID " + index.rawUid(i);
        } else if (u <= prevUid) {
            problem = "Message " + shown + " UID " + u + " less than " + (prevUid + 1);
        } else {
            prevUid = u;
            index.setUid(i, u);
            if (u > index.uidLast) {
                index.uidLast = u;
                index.dirty = true;
            }
            return;
        }
        index.warnings.add(problem);
        index.uidValidity = 0; // as c-client: the UIDs can no longer be trusted; a new epoch starts
        index.setUid(i, 0);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    static String preview(Line l) {
        int n = Math.min(60, l.end - l.start);
        return new String(l.buf, l.start, n, StandardCharsets.ISO_8859_1).replace("\n", "").replace("\r", "");
    }
}
