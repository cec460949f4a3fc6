package org.spoollock.lmtp;

/**
 * One LMTP reply: the code, the enhanced status code (RFC 3463) and the text. A reply's text never
 * carries a line break (a reason taken from an exception is flattened), so one reply is one line.
 */
record Reply(int code, String status, String text) {
    Reply {
        text = text.replaceAll("[\\r\\n\\x00-\\x1f]+", " ").strip();
        if (text.length() > 400) {
            text = text.substring(0, 400) + "...";
        }
    }

    static Reply of(int code, String status, String text) {
        return new Reply(code, status, text);
    }

    boolean positive() {
        return code < 400;
    }

    boolean temporary() {
        return code >= 400 && code < 500;
    }

    /** The line as sent, without its CRLF. */
    String line() {
        return code + " " + (status.isEmpty() ? "" : status + " ") + text;
    }

    @Override
    public String toString() {
        return line();
    }
}
