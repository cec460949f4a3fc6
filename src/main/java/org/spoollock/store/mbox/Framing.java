package org.spoollock.store.mbox;

import org.spoollock.store.journal.AppendIntent;

/**
 * How messages are delimited in a file of c-client's "unix" family. c-client's mmdf driver is its unix
 * driver with one change: every message is framed by a line of four ^A bytes ({@code "\1\1\1\1\n"})
 * before its From_ line and after its text, where the unix format has nothing before the From_ line and
 * one newline after the text. Locks, status headers, UIDs, the pseudo-message and the rewrite rules are
 * the same, so one package serves both and this is the one place that knows the difference. Because the
 * ^A lines, not From_ lines, divide the messages, mmdf quotes no body line; its append drops ^A and CR
 * bytes from the message instead.
 */
public enum Framing {
    /** c-client's unix driver: {@code From } line, message, one newline. */
    UNIX("mbox", new byte[0], new byte[] {'\n'}),
    /** c-client's mmdf driver: ^A line, From_ line, message, ^A line. */
    MMDF("mmdf", new byte[] {1, 1, 1, 1, '\n'}, new byte[] {1, 1, 1, 1, '\n'});

    private final String format;
    private final byte[] prefix;
    private final byte[] trailer;

    Framing(String format, byte[] prefix, byte[] trailer) {
        this.format = format;
        this.prefix = prefix;
        this.trailer = trailer;
    }

    /** The format's name in messages ("not an mmdf mailbox"). */
    public String format() {
        return format;
    }

    /** What precedes each message's From_ line. */
    byte[] prefix() {
        return prefix.clone();
    }

    int prefixLength() {
        return prefix.length;
    }

    /** What follows each message's text. */
    byte[] trailer() {
        return trailer.clone();
    }

    /** c-client's ISMMDF: the five bytes at {@code from} are the mmdf delimiter line. */
    static boolean isDelimiter(byte[] b, int from, int end) {
        return end - from >= 5 && b[from] == 1 && b[from + 1] == 1 && b[from + 2] == 1 && b[from + 3] == 1
                && b[from + 4] == '\n';
    }

    /**
     * c-client's mmdf_mbxline: a line longer than six bytes whose last five are the delimiter is two lines
     * to it, the delimiter being the second (a message appended without a final newline runs into its
     * trailer that way).
     */
    static boolean endsWithDelimiter(byte[] b, int from, int end) {
        return end - from > 6 && isDelimiter(b, end - 5, end);
    }

    /**
     * Whether {@code b[from..end)}, a message's first bytes as the index has them (its {@code fromLength}),
     * still start a message: unix, a VALID From_ line; mmdf, the delimiter and, after it, a VALID From_
     * line when the index kept one.
     */
    boolean startsMessage(byte[] b, int from, int end) {
        if (this == UNIX) {
            return FromLine.isValid(b, from, end);
        }
        return isDelimiter(b, from, end) && (end - from == 5 || FromLine.isValidMmdf(b, from + 5, end));
    }

    /** For {@link AppendIntent}'s recovery: where another program's message starts in this framing. */
    AppendIntent.MessageStart messageStart() {
        if (this == UNIX) {
            return (b, from, n) -> FromLine.isValid(b, from, n) ? 1
                    : (n > from && b[from] == '\n' && FromLine.isValid(b, from + 1, n) ? 2 : 0);
        }
        return (b, from, n) -> isDelimiter(b, from, n) ? 1 : 0;
    }
}
