package org.spoollock.store.mbox;

/**
 * What the lines of a message's text add up to, as {@link LineReader#nextFromLine} reads them in bulk:
 * exactly the sums the parser would make line by line (c-client's sizes need only these), and how the
 * last line looks (the newline before the next From_ line belongs to the separator, not the message).
 */
final class TextRun {
    /** Bytes of the lines read, newlines included. */
    long bytes;
    /** Carriage returns in them (c-client drops them when it counts sizes). */
    long crs;
    /** Newlines in them: one per line that has one (c-client counts each as CRLF). */
    long lfs;
    /** The last line read: 1 if it was only a newline, 2 if only CR LF, 0 otherwise or if none was read. */
    int last;
    /** File position after the lines read: where the From_ line returned starts, or the end of the data. */
    long end;

    void clear(long position) {
        bytes = 0;
        crs = 0;
        lfs = 0;
        last = 0;
        end = position;
    }

    /** Adds one line read whole (one that runs past the reader's buffer, or a "From " line that is text). */
    void add(Line l) {
        bytes += l.length;
        crs += l.crs;
        lfs += l.endsWithNewline() ? 1 : 0;
        last = l.isEmpty() ? (int) l.length : 0; // a blank line is "\n" or "\r\n": its length is the kind
        end += l.length;
    }

    /**
     * Adds the whole lines {@code buf[from, to)}, which hold {@code lfs} newlines and {@code crs} CRs;
     * {@code from} starts a line and {@code to} follows a newline.
     */
    void add(byte[] buf, int from, int to, long lfs, long crs) {
        if (to == from) {
            return;
        }
        this.bytes += to - from;
        this.lfs += lfs;
        this.crs += crs;
        if (to - 1 == from || buf[to - 2] == '\n') {
            last = 1;
        } else if (buf[to - 2] == '\r' && (to - 2 == from || buf[to - 3] == '\n')) {
            last = 2;
        } else {
            last = 0;
        }
        end += to - from;
    }
}
