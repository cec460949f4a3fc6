package org.spoollock.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds the first of one or two byte values in a range eight bytes at a time (the usual "has a zero
 * byte" word trick), for passes over whole mailboxes where a byte-by-byte loop is the bottleneck.
 */
public final class ByteScan {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private ByteScan() {
    }

    /** Index of the first {@code a} or {@code b} in {@code buf[from .. to)}, or -1. */
    public static int indexOf(byte[] buf, int from, int to, byte a, byte b) {
        long pa = (a & 0xffL) * ONES;
        long pb = (b & 0xffL) * ONES;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long v = (long) LONGS.get(buf, i);
            long x = v ^ pa;
            long y = v ^ pb;
            // exact for "some byte of x (or y) is zero", which is all we need to stop and look closer
            if (((((x - ONES) & ~x) | ((y - ONES) & ~y)) & HIGHS) != 0) {
                break;
            }
        }
        for (; i < to; i++) {
            if (buf[i] == a || buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** Index of the first {@code a} in {@code buf[from .. to)}, or -1. */
    public static int indexOf(byte[] buf, int from, int to, byte a) {
        return indexOf(buf, from, to, a, a);
    }
}
