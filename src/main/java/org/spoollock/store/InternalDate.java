package org.spoollock.store;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.SignStyle;
import java.time.temporal.ChronoField;
import java.util.Locale;

/**
 * c-client's internal date as its tenex, mtx and mbx drivers write it before each message (mail_date:
 * {@code " 2-Nov-2026 05:03:22 -0700"}, the day space-padded) and read it back (mail_parse_date: a day of one
 * or two digits, the month's name in any case).
 */
public final class InternalDate {
    private static final DateTimeFormatter WRITE = DateTimeFormatter.ofPattern("ppd-MMM-yyyy HH:mm:ss xx", Locale.ROOT);
    private static final DateTimeFormatter READ = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .appendValue(ChronoField.DAY_OF_MONTH, 1, 2, SignStyle.NOT_NEGATIVE).appendLiteral('-')
            .appendPattern("MMM").appendLiteral('-').appendValue(ChronoField.YEAR, 4).appendLiteral(' ')
            .appendPattern("HH:mm:ss xx").toFormatter(Locale.ROOT);

    private InternalDate() {
    }

    public static String format(ZonedDateTime date) {
        return WRITE.format(date);
    }

    /** The date in {@code s} (leading blanks allowed); a {@link java.time.DateTimeException} if it is not one. */
    public static ZonedDateTime parse(String s) {
        return ZonedDateTime.parse(s.trim(), READ);
    }
}
