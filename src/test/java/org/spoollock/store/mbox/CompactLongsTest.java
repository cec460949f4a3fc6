package org.spoollock.store.mbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The index's long columns: ints while the values fit, longs from the first that does not, nothing lost. */
class CompactLongsTest {
    @Test
    void valuesBeyondAnIntWidenTheColumnAndKeepEveryValue() {
        CompactLongs c = new CompactLongs(4);
        c.set(0, 7);
        c.set(1, Integer.MAX_VALUE);
        c.set(2, -5);
        assertEquals(4, c.bytesPerSlot());
        assertEquals(-(3 + 1), c.binarySearch(3, 3L << 31), "a key beyond every int: after all");
        c.resize(8);
        c.set(3, 3L << 31);                      // an offset past 2 GiB
        assertEquals(8, c.bytesPerSlot());
        assertEquals(7, c.get(0));
        assertEquals(Integer.MAX_VALUE, c.get(1));
        assertEquals(-5, c.get(2));
        assertEquals(3L << 31, c.get(3));
        c.add(3, 1);
        assertEquals((3L << 31) + 1, c.get(3));
        assertEquals(8, c.capacity());
    }

    @Test
    void searchFindsAscendingValuesInBothWidths() {
        CompactLongs c = new CompactLongs(5);
        for (int i = 0; i < 5; i++) {
            c.set(i, 10L * (i + 1));
        }
        assertEquals(2, c.binarySearch(5, 30));
        assertEquals(-1, c.binarySearch(5, 5));
        assertEquals(-1, c.binarySearch(5, Long.MIN_VALUE));
        c.set(4, 1L << 40);
        assertEquals(4, c.binarySearch(5, 1L << 40));
        assertEquals(1, c.binarySearch(5, 20));
    }
}
