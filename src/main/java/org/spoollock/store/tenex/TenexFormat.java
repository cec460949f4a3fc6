package org.spoollock.store.tenex;

import java.io.ByteArrayOutputStream;

import org.spoollock.store.ByteScan;

/**
 * c-client's two "internal header" formats: each message is a line
 * {@code <date>,<size>;<10 octal digits of keywords><2 octal digits of flags>} then exactly
 * {@code size} bytes of message. tenex ends that line with LF and stores LF text; mtx ends it with
 * CRLF and stores CRLF text.
 */
public enum TenexFormat {
    TENEX("tenex", new byte[] {'\n'}),
    MTX("mtx", new byte[] {'\r', '\n'});

    private final String driver;
    private final byte[] newline;

    TenexFormat(String driver, byte[] newline) {
        this.driver = driver;
        this.newline = newline;
    }

    /** c-client's driver name ({@code #driver.tenex/...}). */
    public String driver() {
        return driver;
    }

    byte[] newline() {
        return newline.clone();
    }

    /** Where the 12 flag digits start, counted back from the end of the header line. */
    int flagsFromEnd() {
        return 12 + newline.length;
    }

    /**
     * A message as this format stores it: tenex drops every CR (as c-client's tenex append does, the
     * size being the bytes written); mtx writes CRLF line ends (a bare LF gets its CR; c-client's mtx
     * append stores what IMAP gives it, which is CRLF already).
     */
    byte[] storedText(byte[] message) {
        TenexBatch.Bytes out = new TenexBatch.Bytes(message.length + message.length / 40 + 16);
        store(message, 0, message.length, out, (byte) 0);
        return out.toByteArray();
    }

    /**
     * Writes {@code in[from .. from + length)} to {@code out} as {@link #storedText} would, copying
     * whole runs between the bytes it changes. {@code before} is the byte that preceded this piece of
     * the message (0 at its start); returns the piece's last byte (or {@code before} if it is empty).
     */
    byte store(byte[] in, int from, int length, ByteArrayOutputStream out, byte before) {
        int end = from + length;
        int run = from;
        byte mark = this == TENEX ? (byte) '\r' : (byte) '\n';
        for (int i = ByteScan.indexOf(in, from, end, mark); i >= 0; i = ByteScan.indexOf(in, i + 1, end, mark)) {
            if (this == TENEX) {
                out.write(in, run, i - run);
                run = i + 1;
            } else if ((i > from ? in[i - 1] : before) != '\r') {
                out.write(in, run, i - run);
                out.write('\r');
                run = i;
            }
        }
        out.write(in, run, end - run);
        return length > 0 ? in[end - 1] : before;
    }
}
