package org.spoollock.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

class ByteScanTest {
    /** The word-at-a-time search must agree with a plain loop at every offset, length and byte value. */
    @Test
    void agreesWithAPlainLoop() {
        Random r = new Random(7);
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[r.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                // mostly bytes near the ones searched for and 0x80/0xff, where the word trick could slip
                int pick = r.nextInt(6);
                b[i] = (byte) (pick == 0 ? '\r' : pick == 1 ? 0 : pick == 2 ? 0x80 : pick == 3 ? 0xff : pick == 4 ? 1 + r.nextInt(14)
                        : r.nextInt(256));
            }
            int from = b.length == 0 ? 0 : r.nextInt(b.length + 1);
            int to = from + r.nextInt(b.length - from + 1);
            byte x = (byte) (r.nextBoolean() ? '\r' : r.nextInt(256));
            byte y = (byte) (r.nextBoolean() ? 0 : r.nextInt(256));
            assertEquals(plain(b, from, to, x, y), ByteScan.indexOf(b, from, to, x, y));
            assertEquals(plain(b, from, to, x, x), ByteScan.indexOf(b, from, to, x));
        }
    }

    private static int plain(byte[] b, int from, int to, byte x, byte y) {
        for (int i = from; i < to; i++) {
            if (b[i] == x || b[i] == y) {
                return i;
            }
        }
        return -1;
    }
}
