package org.spoollock.store.tenex;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.spoollock.posix.ChannelIo;
import org.spoollock.store.Flags;

/**
 * A tenex or mtx mailbox as c-client's tenex_parse / mtx_parse sees it: message offsets, internal
 * dates, sizes and flags, UIDs 1..n (these formats store none: c-client numbers them per parse).
 * Messages are found by their header lines alone, so parsing reads a few dozen bytes per message;
 * RFC822 sizes of tenex messages (CRLF line ends) need the text and are computed when asked for.
 */
public final class TenexIndex implements org.spoollock.store.MessageIndex {
    private final TenexFormat format;
    private final List<String> keywords;
    private int n;
    private long[] start = new long[16];
    private int[] headerLen = new int[16];
    private long[] size = new long[16];
    private long[] rfc822 = new long[16];
    private int[] userBits = new int[16];
    private int[] systemBits = new int[16];
    private long[] date = new long[16];
    private short[] zone = new short[16];
    private long parsedSize;

    TenexIndex(TenexFormat format, List<String> keywords) {
        this.format = format;
        this.keywords = List.copyOf(keywords);
    }

    /** The mailbox is not in this format, or damaged where c-client would refuse to open it. */
    public static final class BadTenexMailboxException extends org.spoollock.store.BadMailboxException {
        private static final long serialVersionUID = 1L;

        BadTenexMailboxException(String m) {
            super(m);
        }
    }

    /** Parses (or continues parsing, after new mail) up to {@code to}. */
    void parse(FileChannel ch, long to, Path name) throws IOException {
        if (to < parsedSize) {
            throw new org.spoollock.store.MailboxChangedException(name + ": mailbox shrank from " + parsedSize
                    + " to " + to + " bytes since it was read; reopen it");
        }
        long pos = parsedSize;
        ByteBuffer b = ByteBuffer.allocate(256);
        while (pos < to) {
            b.clear();
            int got = 0;
            while (b.hasRemaining()) {
                int r = ch.read(b, pos + b.position());
                if (r <= 0) {
                    break;
                }
                got += r;
            }
            byte[] a = b.array();
            int nl = -1;
            for (int i = 0; i < got; i++) {
                if (a[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            if (nl < 0) {
                throw new BadTenexMailboxException(name + ": no header line at offset " + pos + " (no newline in "
                        + got + " bytes): not a " + format.driver() + " mailbox, or damaged there");
            }
            boolean cr = nl > 0 && a[nl - 1] == '\r';
            if (cr != (format == TenexFormat.MTX)) {
                throw new BadTenexMailboxException(name + ": the header line at offset " + pos + " ends with "
                        + (cr ? "CRLF" : "LF") + ", not as " + format.driver() + " writes it");
            }
            TenexHeader h;
            try {
                h = TenexHeader.parse(a, 0, cr ? nl - 1 : nl);
            } catch (TenexHeader.BadHeader e) {
                throw new BadTenexMailboxException(name + ": unable to parse the internal header at offset " + pos + ": "
                        + e.getMessage());
            }
            long end = pos + nl + 1 + h.size();
            if (end > to) {
                throw new BadTenexMailboxException(name + ": the last message (at offset " + pos + ") runs past the end"
                        + " of the file (" + end + " > " + to + "): truncated");
            }
            add(pos, nl + 1, h);
            pos = end;
        }
        parsedSize = to;
    }

    private void add(long at, int headerLength, TenexHeader h) {
        if (n == start.length) {
            int cap = n * 2;
            start = Arrays.copyOf(start, cap);
            headerLen = Arrays.copyOf(headerLen, cap);
            size = Arrays.copyOf(size, cap);
            rfc822 = Arrays.copyOf(rfc822, cap);
            userBits = Arrays.copyOf(userBits, cap);
            systemBits = Arrays.copyOf(systemBits, cap);
            date = Arrays.copyOf(date, cap);
            zone = Arrays.copyOf(zone, cap);
        }
        start[n] = at;
        headerLen[n] = headerLength;
        size[n] = h.size();
        rfc822[n] = format == TenexFormat.MTX ? h.size() : -1;
        userBits[n] = h.userBits();
        systemBits[n] = h.systemBits();
        date[n] = h.date().toEpochSecond();
        zone[n] = (short) (h.date().getOffset().getTotalSeconds() / 60);
        n++;
    }

    private int check(int msgno) {
        if (msgno < 1 || msgno > n) {
            throw new IndexOutOfBoundsException("message " + msgno + " of " + n);
        }
        return msgno - 1;
    }

    public TenexFormat format() {
        return format;
    }

    public int count() {
        return n;
    }

    public long fileSize() {
        return parsedSize;
    }

    /** c-client numbers messages 1..n at each open: UIDs are not kept in these formats. */
    public long uid(int msgno) {
        check(msgno);
        return msgno;
    }

    public long start(int msgno) {
        return start[check(msgno)];
    }

    int headerLength(int msgno) {
        return headerLen[check(msgno)];
    }

    /** Bytes stored after the header line. */
    public long storedSize(int msgno) {
        return size[check(msgno)];
    }

    public long end(int msgno) {
        int i = check(msgno);
        return start[i] + headerLen[i] + size[i];
    }

    /** System flags ({@link Flags} bits; "old" is not one of them). */
    public int flags(int msgno) {
        return systemBits[check(msgno)] & Flags.ALL;
    }

    public boolean recent(int msgno) {
        return (systemBits[check(msgno)] & TenexHeader.OLD) == 0;
    }

    int rawSystemBits(int msgno) {
        return systemBits[check(msgno)];
    }

    int rawUserBits(int msgno) {
        return userBits[check(msgno)];
    }

    void setBits(int msgno, int user, int system) {
        int i = check(msgno);
        userBits[i] = user;
        systemBits[i] = system;
    }

    /** The configured keywords set on the message (bits of keywords not configured are kept, not shown). */
    public List<String> keywords(int msgno) {
        int bits = userBits[check(msgno)];
        List<String> out = new ArrayList<>();
        for (int k = 0; k < keywords.size(); k++) {
            if ((bits & (1 << (29 - k))) != 0) {
                out.add(keywords.get(k));
            }
        }
        return out;
    }

    public List<String> keywordNames() {
        return keywords;
    }

    public ZonedDateTime internalDate(int msgno) {
        int i = check(msgno);
        return Instant.ofEpochSecond(date[i]).atZone(ZoneOffset.ofTotalSeconds(zone[i] * 60));
    }

    /**
     * RFC822 size as c-client reports it: mtx stores CRLF text, so its size; tenex text is counted with
     * every bare LF or CR as CRLF (c-client's strcrlflen), which reads the message once.
     */
    public long size(int msgno, FileChannel ch, String name) throws IOException {
        int i = check(msgno);
        if (rfc822[i] < 0) {
            long count = size[i];
            long pos = start[i] + headerLen[i];
            long end = pos + size[i];
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(1 << 20, Math.max(1, size[i])));
            int prev = -1;
            while (pos < end) {
                b.clear().limit((int) Math.min(b.capacity(), end - pos));
                int r = ch.read(b, pos);
                if (r <= 0) {
                    throw new java.io.EOFException(name + ": message " + msgno + " ends early");
                }
                byte[] a = b.array();
                for (int k = 0; k < r; k++) {
                    int c = a[k];
                    if (c == '\n' && prev != '\r') {
                        count++;
                    } else if (prev == '\r' && c != '\n') {
                        count++;
                    }
                    prev = c;
                }
                pos += r;
            }
            if (prev == '\r') {
                count++;
            }
            rfc822[i] = count;
        }
        return rfc822[i];
    }

    /** The user bits for the configured keywords {@code names}. */
    int userBitsFor(List<String> names) {
        return TenexKeywords.userBits(keywords, names, format);
    }

    static long readSize(FileChannel ch, String name) throws IOException {
        return ChannelIo.size(ch, name);
    }
}
