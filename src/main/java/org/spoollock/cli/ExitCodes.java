package org.spoollock.cli;

/** sysexits.h values, which MTAs (Postfix, sendmail, procmail) understand. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int USAGE = 64;       // EX_USAGE
    public static final int DATAERR = 65;     // EX_DATAERR
    public static final int NOINPUT = 66;     // EX_NOINPUT
    public static final int SOFTWARE = 70;    // EX_SOFTWARE
    public static final int CANTCREAT = 73;   // EX_CANTCREAT
    public static final int IOERR = 74;       // EX_IOERR
    public static final int TEMPFAIL = 75;    // EX_TEMPFAIL
    public static final int NOPERM = 77;      // EX_NOPERM

    private ExitCodes() {
    }
}
