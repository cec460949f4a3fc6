package org.spoollock.store.mbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import org.spoollock.posix.ChannelIo;

/** {@code [from, from + length)} of a channel as a stream, by positional reads (the channel's position is untouched). */
final class RegionInputStream extends InputStream {
    private final FileChannel ch;
    private long pos;
    private final long end;

    RegionInputStream(FileChannel ch, long from, long length) {
        this.ch = ch;
        this.pos = from;
        this.end = from + length;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (pos >= end) {
            return -1;
        }
        int want = (int) Math.min(len, end - pos);
        int n;
        try {
            n = ch.read(ByteBuffer.wrap(b, off, want), pos);
        } catch (IOException e) {
            throw ChannelIo.translate("read", "mailbox", e);
        }
        if (n < 0) {
            throw new java.io.EOFException("mailbox ends at " + pos + ", before the message's end at " + end);
        }
        pos += n;
        return n;
    }
}
