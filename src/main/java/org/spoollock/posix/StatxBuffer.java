package org.spoollock.posix;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code struct statx} (linux/stat.h), read into a {@link Stat}. Its layout is the same on every Linux
 * architecture, unlike {@code struct stat}'s, so one decoder serves x86_64 and aarch64 alike.
 */
final class StatxBuffer {
    /** The flags and mask statx is called with. */
    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int AT_EMPTY_PATH = 0x1000;
    /** STATX_BASIC_STATS: what stat(2) returns. */
    static final int STATX_BASIC_STATS = 0x7ff;
    static final int SIZE = 256;

    private static final int NLINK = 16;
    private static final int UID = 20;
    private static final int GID = 24;
    private static final int MODE = 28;
    private static final int INO = 32;
    private static final int FILE_SIZE = 40;
    private static final int ATIME = 64;
    private static final int CTIME = 96;
    private static final int MTIME = 112;
    private static final int DEV_MAJOR = 136;
    private static final int DEV_MINOR = 140;

    private StatxBuffer() {
    }

    static byte[] allocate() {
        return new byte[SIZE];
    }

    static Stat toStat(byte[] statx) {
        ByteBuffer b = ByteBuffer.wrap(statx).order(ByteOrder.nativeOrder());
        return new Stat(dev(b.getInt(DEV_MAJOR), b.getInt(DEV_MINOR)), b.getLong(INO), b.getInt(NLINK),
                Short.toUnsignedInt(b.getShort(MODE)), b.getInt(UID), b.getInt(GID), b.getLong(FILE_SIZE),
                nanos(b, ATIME), nanos(b, MTIME), nanos(b, CTIME));
    }

    /** struct statx_timestamp: s64 seconds, u32 nanoseconds. */
    private static long nanos(ByteBuffer b, int at) {
        return b.getLong(at) * 1_000_000_000L + Integer.toUnsignedLong(b.getInt(at + 8));
    }

    /**
     * st_dev as stat(2) gives it, from statx's major and minor: glibc's makedev. c-client names its
     * session lock {@code /tmp/.<st_dev>.<st_ino>} in hex, so this must be the very number stat returns
     * (PosixTest compares it with the JDK's own {@code unix:dev}).
     */
    static long dev(int major, int minor) {
        long ma = Integer.toUnsignedLong(major);
        long mi = Integer.toUnsignedLong(minor);
        return ((ma & 0x00000fffL) << 8) | ((ma & 0xfffff000L) << 32)
                | (mi & 0x000000ffL) | ((mi & 0xffffff00L) << 12);
    }
}
