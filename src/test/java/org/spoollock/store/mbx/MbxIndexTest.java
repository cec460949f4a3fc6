package org.spoollock.store.mbx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.store.BadMailboxException;
import org.spoollock.store.Flags;

/** mbx files as c-client writes them, read as mbx_parse reads them. */
class MbxIndexTest {
    @TempDir
    Path dir;

    private static final ZonedDateTime DATE = ZonedDateTime.of(2026, 11, 2, 5, 3, 22, 0, ZoneOffset.ofHours(-7));

    private static byte[] message(long user, int system, long uid, String text) {
        byte[] t = text.getBytes(StandardCharsets.ISO_8859_1);
        byte[] h = new MbxMessageHeader(DATE, t.length, user, system, uid).format();
        byte[] out = java.util.Arrays.copyOf(h, h.length + t.length);
        System.arraycopy(t, 0, out, h.length, t.length);
        return out;
    }

    private MbxIndex read(long uidLast, List<String> keywords, byte[]... messages) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new MbxFileHeader(0x6b121c7aL, uidLast, keywords, 4242).format());
        for (byte[] m : messages) {
            b.write(m);
        }
        Path p = dir.resolve("box");
        Files.write(p, b.toByteArray());
        MbxIndex x = new MbxIndex();
        try (FileChannel ch = FileChannel.open(p)) {
            x.parse(ch, Files.size(p), p.toString());
        }
        return x;
    }

    @Test
    void theHeaderIsWrittenAndReadAsCClientDoes() throws Exception {
        byte[] h = new MbxFileHeader(0x6b121c7aL, 9, List.of("work", "later"), 0x1234).format();
        assertEquals(2048, h.length);
        String s = new String(h, StandardCharsets.ISO_8859_1);
        assertTrue(s.startsWith("*mbx*\r\n6b121c7a00000009\r\nwork\r\nlater\r\n\r\n"), s.substring(0, 60));
        assertTrue(s.endsWith("00001234\r\n"));
        MbxFileHeader r = MbxFileHeader.parse(h, "x");
        assertEquals(new MbxFileHeader(0x6b121c7aL, 9, List.of("work", "later"), 0x1234), r);
        assertThrows(BadMailboxException.class, () -> MbxFileHeader.parse(java.util.Arrays.copyOf(h, 2000), "x"));
        h[9] = 'g';
        assertThrows(BadMailboxException.class, () -> MbxFileHeader.parse(h, "x"));
    }

    @Test
    void flagsKeywordsUidsAndHolesAreReadAsMbxParseDoes() throws Exception {
        MbxIndex x = read(7, List.of("work", "later"),
                message(1, MbxMessageHeader.SEEN | MbxMessageHeader.OLD, 3, "Subject: a\r\n\r\none\r\n"),
                message(0, MbxMessageHeader.DELETED | MbxMessageHeader.OLD | MbxMessageHeader.EXPUNGED, 4, "Subject: b\r\n\r\n"),
                message(3, MbxMessageHeader.FLAGGED | MbxMessageHeader.DRAFT | MbxMessageHeader.OLD, 6, "Subject: c\r\n\r\n"),
                message(2, MbxMessageHeader.ANSWERED, 0, "Subject: d\r\n\r\nnew mail\r\n"));
        assertEquals(3, x.count(), "the expunged one is skipped");
        assertEquals(List.of(3L, 6L, 8L), List.of(x.uid(1), x.uid(2), x.uid(3)), "no UID yet: the next after the last");
        assertEquals(Flags.SEEN, x.flags(1));
        assertEquals(Flags.FLAGGED | Flags.DRAFT, x.flags(2));
        assertEquals(Flags.ANSWERED, x.flags(3));
        assertEquals(List.of("work"), x.keywords(1));
        assertEquals(List.of("work", "later"), x.keywords(2));
        assertEquals(List.of("later"), x.keywords(3));
        assertEquals(List.of(false, false, true), List.of(x.recent(1), x.recent(2), x.recent(3)));
        assertEquals(DATE.toInstant(), x.internalDate(1).toInstant());
        assertEquals(0x6b121c7aL, x.uidValidity());
        assertEquals(8, x.uidLast());
        assertEquals(19, x.size(1));
        assertEquals(null, x.warning());
    }

    @Test
    void aUidOutOfOrderRebuildsTheUidsUnderANewValidity() throws Exception {
        MbxIndex x = read(9, List.of(), message(0, MbxMessageHeader.OLD, 5, "a\r\n"), message(0, MbxMessageHeader.OLD, 4, "b\r\n"),
                message(0, MbxMessageHeader.OLD, 12, "c\r\n"));
        // as mbx_parse: the bad UID is dropped, uid_last set back to the last good one, a new UIDVALIDITY
        assertEquals(List.of(5L, 6L, 7L), List.of(x.uid(1), x.uid(2), x.uid(3)));
        assertNotEquals(0x6b121c7aL, x.uidValidity());
        assertTrue(x.warning().contains("invalid UID 4 in message 2"), x.warning());
    }

    @Test
    void damageIsNamedWithItsOffset() throws Exception {
        List<byte[]> bad = new ArrayList<>();
        bad.add(" 2-Nov-2026 05:03:22 -0700,3;00000000001Z-00000001\r\nabc".getBytes(StandardCharsets.ISO_8859_1));
        bad.add(" 2-Nov-2026 05:03:22 -0700,3;000000000010+00000001\r\nabc".getBytes(StandardCharsets.ISO_8859_1));
        bad.add(" 2-Nov-2026 05:03:22 -0700,9;000000000010-00000001\r\nabc".getBytes(StandardCharsets.ISO_8859_1));
        bad.add(" 2-Nov-2026 05:03:22 -0700,0;000000000010-00000001\r\n".getBytes(StandardCharsets.ISO_8859_1));
        bad.add(" 2-Nov-2026 05:03:22 -0700,3;000000000010-00000001".getBytes(StandardCharsets.ISO_8859_1));
        bad.add("32-Nov-2026 05:03:22 -0700,3;000000000010-00000001\r\nabc".getBytes(StandardCharsets.ISO_8859_1));
        List<String> said = List.of("flags are not 12 hex", "UID is not", "runs past the end", "message size 0", "no CRLF",
                "bad internal date");
        for (int i = 0; i < bad.size(); i++) {
            byte[] b = bad.get(i);
            BadMailboxException e = assertThrows(BadMailboxException.class,
                    () -> read(9, List.of(), message(0, MbxMessageHeader.OLD, 1, "ok\r\n"), b), said.get(i));
            assertTrue(e.getMessage().contains(said.get(i)) && e.getMessage().contains("offset 2104"), e.getMessage());
        }
    }
}
