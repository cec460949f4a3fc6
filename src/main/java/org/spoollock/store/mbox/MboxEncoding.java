package org.spoollock.store.mbox;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.List;

import org.spoollock.store.Flags;

/**
 * A message as c-client's append writes it into an mbox (unix_collect_msg, unix_append_msgs):
 *
 * <pre>
 * From sender Wed Dec  2 05:53:22 1992 -0700
 * Status: R
 * X-Status: F
 * X-Keywords: work
 * (the message, CRs removed, NUL written as 0x80, From_-like lines quoted,
 *  its own Status/X-Status/X-Keywords/X-UID/X-IMAP/X-IMAPbase headers renamed X-Original-...)
 * (one newline more)
 * </pre>
 *
 * One deliberate difference: c-client stops renaming at the first header line that starts with "X"
 * (a fall-through in its switch), so a later {@code Status: RO} in an incoming header would mark the
 * message read, and a later {@code X-UID} would be believed; we rename them wherever they are in the
 * header.
 */
public final class MboxEncoding {
    private MboxEncoding() {
    }

    /**
     * The From_ line sender: an address without spaces or line breaks; empty (a bounce's {@code <>})
     * becomes MAILER-DAEMON, as MTAs write it.
     */
    public static String fromLineSender(String sender) {
        if (sender == null || sender.isEmpty() || sender.equals("<>")) {
            return "MAILER-DAEMON";
        }
        for (int i = 0; i < sender.length(); i++) {
            char c = sender.charAt(i);
            if (c <= ' ' || c == 0x7f || c > 0xff) {
                throw new IllegalArgumentException("sender \"" + sender.replace("\n", "\\n")
                        + "\" has a space, control or non-Latin-1 character, which a From_ line cannot carry");
            }
        }
        return sender;
    }

    /** The bytes to append for one message (see the class comment). */
    public static byte[] format(byte[] message, String sender, ZonedDateTime date, int flags, List<String> keywords,
                                Quoting quoting) {
        return format(message, sender, date, flags, keywords, quoting, Framing.UNIX);
    }

    /**
     * As c-client's append writes the message into a file of {@code framing}: for mmdf, the ^A line before
     * it, ^A and CR bytes dropped instead of lines quoted, the newline c-client's append adds to every
     * message (which mmdf keeps as part of the text: c-client's mmdf append makes every message one blank
     * line longer, and so does this, so that both store the same bytes), then the ^A line after it.
     */
    public static byte[] format(byte[] message, String sender, ZonedDateTime date, int flags, List<String> keywords,
                                Quoting quoting, Framing framing) {
        if (message.length == 0) {
            throw new IllegalArgumentException("empty message (c-client refuses a zero-length append too)");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 200);
        out.writeBytes(framing.prefix());
        StringBuilder h = new StringBuilder(120);
        h.append("From ").append(fromLineSender(sender)).append(' ').append(StatusBlock.fromLineDate(date)).append('\n');
        h.append("Status: ");
        if ((flags & Flags.SEEN) != 0) {
            h.append('R');
        }
        h.append("\nX-Status: ");
        StatusBlock.xStatusLetters(h, flags);
        h.append("\nX-Keywords:");
        for (String k : keywords) {
            h.append(' ').append(k);
        }
        h.append('\n');
        out.writeBytes(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        Parts p = split(message, quoting, framing);
        out.writeBytes(p.header);
        if (p.blank) {
            out.write('\n');
        }
        out.writeBytes(p.text);
        out.write('\n');
        if (framing == Framing.MMDF) {
            out.writeBytes(framing.trailer());
        }
        return out.toByteArray();
    }

    /**
     * A message in c-client's checkpointed layout, as its rewrite leaves every message: From_ line,
     * the message's header, the status block (flags, keywords, UID; X-IMAPbase when {@code base}, for
     * message 1), the text, one newline more. For migrations into a new mbox: the UIDs, flags and
     * keywords are there as c-client reads them, and later flag changes fit in place.
     */
    public static byte[] checkpointed(byte[] message, String sender, ZonedDateTime date, int flags, int keywordBits,
                                      List<String> keywordNames, long uid, long uidValidity, long uidLast, boolean base,
                                      Quoting quoting) {
        return checkpointed(message, sender, date, flags, keywordBits, keywordNames, uid, uidValidity, uidLast, base,
                quoting, Framing.UNIX);
    }

    /**
     * As {@link #checkpointed(byte[], String, ZonedDateTime, int, int, List, long, long, long, boolean, Quoting)}
     * in a file of {@code framing}. mmdf: the text is followed by the ^A line directly (as c-client's rewrite
     * leaves it), after a newline if the text has none, so that the last line reads back as it was given.
     */
    public static byte[] checkpointed(byte[] message, String sender, ZonedDateTime date, int flags, int keywordBits,
                                      List<String> keywordNames, long uid, long uidValidity, long uidLast, boolean base,
                                      Quoting quoting, Framing framing) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 300);
        out.writeBytes(framing.prefix());
        out.writeBytes(("From " + fromLineSender(sender) + ' ' + StatusBlock.fromLineDate(date) + '\n')
                .getBytes(StandardCharsets.ISO_8859_1));
        Parts p = split(message, quoting, framing);
        out.writeBytes(p.header);
        out.writeBytes(StatusBlock.of(flags, keywordBits, uid, keywordNames, uidValidity, uidLast, base));
        out.writeBytes(p.text);
        if (framing == Framing.MMDF && p.text.length > 0 && p.text[p.text.length - 1] != '\n') {
            out.write('\n');
        }
        out.writeBytes(framing.trailer());
        return out.toByteArray();
    }

    /** The content a message will have once stored in an mbox and read back (for verifying copies). */
    public static byte[] asStored(byte[] message, Quoting quoting) {
        return asStored(message, quoting, Framing.UNIX);
    }

    /** The content a message will have once {@link #checkpointed} into a file of {@code framing} and read back. */
    public static byte[] asStored(byte[] message, Quoting quoting, Framing framing) {
        Parts p = split(message, quoting, framing);
        ByteArrayOutputStream out = new ByteArrayOutputStream(p.header.length + p.text.length + 2);
        out.writeBytes(p.header);
        out.write('\n');
        out.writeBytes(p.text);
        if (framing == Framing.MMDF && p.text.length > 0 && p.text[p.text.length - 1] != '\n') {
            out.write('\n');
        }
        return out.toByteArray();
    }

    /**
     * Header (without its blank line) and text, CRs dropped, NUL as 0x80, status headers renamed, and
     * From_-like lines quoted (unix) or ^A bytes dropped (mmdf, whose delimiter they would fake).
     */
    private record Parts(byte[] header, boolean blank, byte[] text) {
    }

    private static Parts split(byte[] message, Quoting quoting, Framing framing) {
        boolean mmdf = framing == Framing.MMDF;
        ByteArrayOutputStream header = new ByteArrayOutputStream(Math.min(message.length, 8192));
        ByteArrayOutputStream text = new ByteArrayOutputStream(message.length);
        ByteArrayOutputStream out = header;
        byte[] line = new byte[256];
        boolean inHeader = true;
        boolean blank = false;
        int p = 0;
        while (p < message.length) {
            int len = 0;
            int q = p;
            for (; q < message.length; q++) {
                byte c = message[q];
                if (c == '\r' || (mmdf && c == 1)) {
                    continue;
                }
                if (len == line.length) {
                    line = java.util.Arrays.copyOf(line, len * 2);
                }
                line[len++] = c == 0 ? (byte) 0x80 : c;
                if (c == '\n') {
                    q++;
                    break;
                }
            }
            p = q;
            if (len == 0) {
                continue;
            }
            if (inHeader && line[0] == '\n') {
                inHeader = false;
                blank = true;
                out = text;
                continue;
            }
            if (inHeader && isStatusHeader(line, len)) {
                out.writeBytes("X-Original-".getBytes(StandardCharsets.ISO_8859_1));
            }
            if (!mmdf && quoting.needsQuote(line, 0, len)) {
                out.write('>');
            }
            out.write(line, 0, len);
        }
        return new Parts(header.toByteArray(), blank, text.toByteArray());
    }

    private static boolean isStatusHeader(byte[] line, int len) {
        int colon = -1;
        for (int i = 0; i < len && i < 12; i++) {
            if (line[i] == ':') {
                colon = i;
                break;
            }
        }
        return colon > 0 && MboxParser.isStatusHeaderName(new String(line, 0, colon, StandardCharsets.ISO_8859_1));
    }
}
