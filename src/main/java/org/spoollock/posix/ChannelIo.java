package org.spoollock.posix;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import jnr.constants.platform.Errno;

/**
 * Positional reads and writes on a {@link FileChannel} for bulk mailbox data, with the JDK's bare
 * IOExceptions ("No space left on device") turned into the typed {@link PosixException} that names
 * the operation and the file, like every other system call of this library.
 */
public final class ChannelIo {
    private static final Errno[] KNOWN = {Errno.ENOSPC, Errno.EDQUOT, Errno.EIO, Errno.EROFS, Errno.EFBIG,
        Errno.EACCES, Errno.EPERM, Errno.EBADF, Errno.EINVAL, Errno.ESTALE};

    private ChannelIo() {
    }

    /** Writes all of {@code data} at {@code position}. */
    public static void write(FileChannel ch, ByteBuffer data, long position, String path) throws IOException {
        try {
            long at = position;
            while (data.hasRemaining()) {
                at += ch.write(data, at);
            }
        } catch (IOException e) {
            throw translate("write", path, e);
        }
    }

    public static void write(FileChannel ch, byte[] data, long position, String path) throws IOException {
        write(ch, ByteBuffer.wrap(data), position, path);
    }

    /** One positional read into {@code buf}: the bytes read, or -1 at the end of the file. */
    public static int readSome(FileChannel ch, ByteBuffer buf, long position, String path) throws IOException {
        try {
            return ch.read(buf, position);
        } catch (IOException e) {
            throw translate("read", path, e);
        }
    }

    /** Reads exactly {@code length} bytes at {@code position}; a short file is an error naming both. */
    public static byte[] read(FileChannel ch, long position, int length, String path) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        try {
            while (b.hasRemaining()) {
                int n = ch.read(b, position + b.position());
                if (n < 0) {
                    throw new java.io.EOFException(path + ": expected " + length + " bytes at offset " + position
                            + ", the file ends after " + b.position());
                }
            }
        } catch (java.io.EOFException e) {
            throw e;
        } catch (IOException e) {
            throw translate("read", path, e);
        }
        return b.array();
    }

    public static void force(FileChannel ch, String path) throws IOException {
        try {
            ch.force(true);
        } catch (IOException e) {
            throw translate("fsync", path, e);
        }
    }

    public static void truncate(FileChannel ch, long size, String path) throws IOException {
        try {
            ch.truncate(size);
        } catch (IOException e) {
            throw translate("ftruncate", path, e);
        }
    }

    public static long size(FileChannel ch, String path) throws IOException {
        try {
            return ch.size();
        } catch (IOException e) {
            throw translate("fstat", path, e);
        }
    }

    /** The typed exception for a JDK I/O error, recognised by its strerror text; else a PosixException-less wrap. */
    public static IOException translate(String operation, String path, IOException e) {
        if (e instanceof PosixFailure) {
            return e;
        }
        String m = e.getMessage();
        if (m != null) {
            for (Errno errno : KNOWN) {
                if (m.contains(errno.description())) {
                    java.nio.file.FileSystemException p = PosixException.of(operation, path, null, errno.intValue());
                    p.initCause(e);
                    return p;
                }
            }
        }
        return new IOException(operation + " " + path + ": " + m, e);
    }
}
