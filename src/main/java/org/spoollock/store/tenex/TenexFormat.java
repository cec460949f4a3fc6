package org.spoollock.store.tenex;

import java.io.ByteArrayOutputStream;

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
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + message.length / 40 + 16);
        for (int i = 0; i < message.length; i++) {
            byte c = message[i];
            if (this == TENEX) {
                if (c != '\r') {
                    out.write(c);
                }
            } else if (c == '\n' && (i == 0 || message[i - 1] != '\r')) {
                out.write('\r');
                out.write('\n');
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }
}
