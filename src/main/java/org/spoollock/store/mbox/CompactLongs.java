package org.spoollock.store.mbox;

import java.util.Arrays;

/**
 * A growable column of longs kept as ints while every value fits in one, and as longs from the first
 * value that does not. Offsets and lengths in an mbox under 2 GiB, UIDs and dates before 2038 all fit,
 * so an index costs 4 bytes per message per column instead of 8 (issue 18: at most 64 bytes per message
 * for an open folder), and nothing is lost for the rare file or value that needs more.
 */
final class CompactLongs {
    private int[] narrow;
    private long[] wide;

    CompactLongs(int capacity) {
        narrow = new int[capacity];
    }

    long get(int i) {
        return wide != null ? wide[i] : narrow[i];
    }

    void set(int i, long v) {
        if (wide != null) {
            wide[i] = v;
        } else if (v == (int) v) {
            narrow[i] = (int) v;
        } else {
            wide = new long[narrow.length];
            for (int k = 0; k < narrow.length; k++) {
                wide[k] = narrow[k];
            }
            narrow = null;
            wide[i] = v;
        }
    }

    void add(int i, long delta) {
        set(i, get(i) + delta);
    }

    int capacity() {
        return wide != null ? wide.length : narrow.length;
    }

    /** Grows or shrinks to {@code capacity} slots, keeping the first ones. */
    void resize(int capacity) {
        if (wide != null) {
            wide = Arrays.copyOf(wide, capacity);
        } else {
            narrow = Arrays.copyOf(narrow, capacity);
        }
    }

    /** Index of {@code key} among the first {@code n} values (ascending), as {@link Arrays#binarySearch}. */
    int binarySearch(int n, long key) {
        if (wide != null) {
            return Arrays.binarySearch(wide, 0, n, key);
        }
        if (key != (int) key) {
            return key > 0 ? -(n + 1) : -1; // beyond every int (the values are ascending)
        }
        return Arrays.binarySearch(narrow, 0, n, (int) key);
    }

    /** Bytes per slot now (4 or 8), for the memory report. */
    int bytesPerSlot() {
        return wide != null ? 8 : 4;
    }
}
