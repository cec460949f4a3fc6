package org.spoollock.mail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The messages of an open folder, each {@link SpoolMessage} made the first time it is asked for and then
 * kept (the same object for the same message while the folder is open, as Jakarta Mail programs expect).
 * A Message object costs about 90 bytes (MimeMessage's fields and its Flags); a server that opens a
 * 100,000-message mailbox to answer for a few of them pays 4 bytes for each of the others.
 * Not thread-safe: the folder's monitor guards it.
 */
final class MessageTable {
    private final SpoolFolder folder;
    private SpoolMessage[] made = new SpoolMessage[0];
    private int count;

    MessageTable(SpoolFolder folder) {
        this.folder = folder;
    }

    int size() {
        return count;
    }

    void clear() {
        made = new SpoolMessage[0];
        count = 0;
    }

    /** Messages {@code size()+1 .. n} exist now (nothing is made for them yet). */
    void extendTo(int n) {
        if (n > made.length) {
            made = Arrays.copyOf(made, count == 0 ? n : Math.max(n, made.length + made.length / 8 + 16));
        }
        count = Math.max(count, n);
    }

    /** Message {@code msgno} (1-based), made if it was not yet. */
    SpoolMessage get(int msgno) {
        SpoolMessage m = made[msgno - 1];
        if (m == null) {
            m = new SpoolMessage(folder, msgno);
            made[msgno - 1] = m;
        }
        return m;
    }

    /** Messages {@code from..to}, made where needed. */
    List<SpoolMessage> range(int from, int to) {
        List<SpoolMessage> out = new ArrayList<>(Math.max(0, to - from + 1));
        for (int n = from; n <= to; n++) {
            out.add(get(n));
        }
        return out;
    }

    /** The messages made so far, in order (the only ones a program can hold). */
    List<SpoolMessage> made() {
        List<SpoolMessage> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (made[i] != null) {
                out.add(made[i]);
            }
        }
        return out;
    }

    /**
     * Removes messages {@code msgnos} (ascending), renumbering the rest; returns the removed ones (made
     * now if they were not: the listeners are told of them).
     */
    List<SpoolMessage> remove(List<Integer> msgnos) {
        List<SpoolMessage> removed = new ArrayList<>(msgnos.size());
        int to = 0;
        int next = 0;
        for (int i = 0; i < count; i++) {
            if (next < msgnos.size() && msgnos.get(next) == i + 1) {
                removed.add(get(i + 1));
                next++;
                continue;
            }
            SpoolMessage m = made[i];
            made[to] = m;
            if (m != null && to != i) {
                m.renumber(to + 1);
            }
            to++;
        }
        Arrays.fill(made, to, count, null);
        count = to;
        return removed;
    }

    /** Replaces all: {@code now} in order ({@code null} for a message not made), renumbered. */
    void replace(SpoolMessage[] now) {
        made = now;
        count = now.length;
        for (int i = 0; i < count; i++) {
            if (made[i] != null) {
                made[i].renumber(i + 1);
            }
        }
    }
}
