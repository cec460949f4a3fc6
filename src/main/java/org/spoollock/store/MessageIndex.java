package org.spoollock.store;

import java.time.ZonedDateTime;
import java.util.List;

/** What every store's index tells about message {@code msgno} (1-based), as c-client would. */
public interface MessageIndex {
    int count();

    long uid(int msgno);

    /** System flags ({@link Flags} bits). */
    int flags(int msgno);

    boolean recent(int msgno);

    List<String> keywords(int msgno);

    ZonedDateTime internalDate(int msgno);

    /** Numbers of the messages flagged \\Deleted, ascending. */
    default List<Integer> deleted() {
        List<Integer> out = new java.util.ArrayList<>();
        for (int n = 1; n <= count(); n++) {
            if ((flags(n) & Flags.DELETED) != 0) {
                out.add(n);
            }
        }
        return out;
    }
}
