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

/**
 * A mix mailbox's three control files as c-client's mix_parse reads them: {@code .mixmeta} (S sequence,
 * V UIDVALIDITY, L last UID, N newest data file, K keyword names separated by spaces), {@code .mixindex}
 * (S, then per message {@code :uid:YYYYMMDDHHMMSS+ZZZZ:size:file:pos:hpos:hsiz:}, hex but the date) and
 * {@code .mixstatus} (S, then {@code :uid:keyword bits:system flags:modseq:}). Lines end in CRLF.
 */
final class MixIndex implements MessageIndex {
    record Message(long uid, ZonedDateTime date, long size, long file, long pos, long headerOffset, long headerSize) {
    }

    private long uidValidity;
    private long uidLast;
    private List<String> keywords = List.of();
    private final List<Message> messages = new ArrayList<>();
    private final List<Long> userFlags = new ArrayList<>();
    private final List<Integer> systemFlags = new ArrayList<>();

    /** Reads the three files' contents (the caller holds c-client's locks on them). */
    static MixIndex parse(Path dir, byte[] meta, byte[] index, byte[] status) throws BadMailboxException {
        MixIndex x = new MixIndex();
        List<String> m = lines(dir.resolve(".mixmeta"), meta);
        sequence(dir.resolve(".mixmeta"), m);
        for (String l : m.subList(1, m.size())) {
            String v = l.substring(1);
            switch (l.charAt(0)) {
                case 'V' -> x.uidValidity = hex(dir, ".mixmeta", "UIDVALIDITY", v);
                case 'L' -> x.uidLast = hex(dir, ".mixmeta", "UIDLAST", v);
                case 'N' -> hex(dir, ".mixmeta", "new message file", v);
                case 'K' -> x.keywords = v.isEmpty() ? List.of() : List.of(v.split(" "));
                default -> throw bad(dir, ".mixmeta", "unknown record \"" + shorten(l) + "\"");
            }
        }
        if (x.uidValidity == 0) {
            throw bad(dir, ".mixmeta", "no UIDVALIDITY record");
        }
        List<String> ix = lines(dir.resolve(".mixindex"), index);
        if (!ix.isEmpty()) {
            sequence(dir.resolve(".mixindex"), ix);
        }
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
                date = ZonedDateTime.of(Integer.parseInt(d.substring(0, 4)), Integer.parseInt(d.substring(4, 6)),
                        Integer.parseInt(d.substring(6, 8)), Integer.parseInt(d.substring(8, 10)),
                        Integer.parseInt(d.substring(10, 12)), Integer.parseInt(d.substring(12, 14)), 0,
                        ZoneOffset.ofHoursMinutes((d.charAt(14) == '-' ? -1 : 1) * Integer.parseInt(d.substring(15, 17)),
                                (d.charAt(14) == '-' ? -1 : 1) * Integer.parseInt(d.substring(17, 19))));
            } catch (RuntimeException e) {
                throw bad(dir, ".mixindex", "bad internal date in \"" + shorten(l) + "\"");
            }
            x.messages.add(new Message(uid, date, hex(dir, ".mixindex", "size", f[3]), hex(dir, ".mixindex", "file#", f[4]),
                    hex(dir, ".mixindex", "message position", f[5]), hex(dir, ".mixindex", "header position", f[6]),
                    hex(dir, ".mixindex", "header size", f[7])));
            x.userFlags.add(0L);
            x.systemFlags.add(0);
        }
        List<String> st = lines(dir.resolve(".mixstatus"), status);
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
            if (n < x.messages.size() && x.messages.get(n).uid() == uid) {
                x.userFlags.set(n, hex(dir, ".mixstatus", "keywords", f[2]));
                x.systemFlags.set(n, (int) hex(dir, ".mixstatus", "flags", f[3]));
            }
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

    private static void sequence(Path file, List<String> l) throws BadMailboxException {
        if (l.isEmpty() || l.get(0).length() < 2 || l.get(0).charAt(0) != 'S') {
            throw new BadMailboxException(file + ": no sequence record (S) first");
        }
        hex(file.getParent(), file.getFileName().toString(), "sequence", l.get(0).substring(1));
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

    long uidValidity() {
        return uidValidity;
    }

    long uidLast() {
        return uidLast;
    }

    List<String> keywordNames() {
        return keywords;
    }

    Message message(int msgno) {
        return messages.get(msgno - 1);
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
        return ((s & 0x1) != 0 ? Flags.SEEN : 0) | ((s & 0x2) != 0 ? Flags.DELETED : 0) | ((s & 0x4) != 0 ? Flags.FLAGGED : 0)
                | ((s & 0x8) != 0 ? Flags.ANSWERED : 0) | ((s & 0x20) != 0 ? Flags.DRAFT : 0);
    }

    /** Recent: no session has marked it old (fOLD, 0x10, in its status). */
    @Override
    public boolean recent(int msgno) {
        return (systemFlags.get(msgno - 1) & 0x10) == 0;
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
