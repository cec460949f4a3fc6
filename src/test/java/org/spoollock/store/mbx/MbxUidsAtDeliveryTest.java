package org.spoollock.store.mbx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spoollock.store.Drivers;
import org.spoollock.store.Mailbox;
import org.spoollock.store.MailboxRef;
import org.spoollock.store.NewMessage;
import org.spoollock.store.StoreOptions;

/**
 * A delivery into mbx gives UIDs as c-client's imapd does for APPEND with APPENDUID (mbx_isvalid with
 * MBXISVALIDUID): first the messages already in the file without one (mailutil's appends write UID 0), in
 * file order, then the new ones, and the header's last UID; read back, the UIDs are the same whoever reads.
 */
class MbxUidsAtDeliveryTest {
    @TempDir
    Path dir;
    private final StoreOptions options = StoreOptions.defaults();
    private static final ZonedDateTime DATE = ZonedDateTime.parse("2026-12-04T10:00:00Z");

    @Test
    void messagesWithoutUidsAreNumberedFirstThenTheNewOnes() throws Exception {
        Path box = file(5, List.of(3L, 5L, 0L, 0L), 0);
        new MbxDriver().append(MailboxRef.of("mbx", box), List.of(NewMessage.of(msg("new"), DATE)), false, options);
        assertEquals(List.of(3L, 5L, 6L, 7L, 8L), uidsOnDisk(box));
        assertEquals(8, MbxFileHeader.parse(Files.readAllBytes(box), box.toString()).uidLast());
        try (Mailbox m = Drivers.open(MailboxRef.of("mbx", box), false, options)) {
            assertEquals(List.of(3L, 5L, 6L, 7L, 8L), uids(m));
            assertEquals(5, m.status().uidValidity());
        }
        // a second delivery: nothing left to number, the next UID
        new MbxDriver().append(MailboxRef.of("mbx", box), List.of(NewMessage.of(msg("newer"), DATE)), false, options);
        assertEquals(List.of(3L, 5L, 6L, 7L, 8L, 9L), uidsOnDisk(box));
    }

    /**
     * A read-write session gives the unnumbered messages their UIDs when it opens (as mbx_parse does); its
     * index then lists no field as unnumbered, so its own deliveries do not read them again, and a delivery
     * through it gives the next UID.
     */
    @Test
    void aReadWriteSessionThatNumberedTheMessagesListsNoneAsUnnumbered() throws Exception {
        Path box = file(11, List.of(2L, 0L, 0L), 0);
        try (Mailbox m = Drivers.open(MailboxRef.of("mbx", box), true, options)) {
            assertEquals(List.of(2L, 3L, 4L), uidsOnDisk(box));
            MbxIndex index = (MbxIndex) m.index();
            assertEquals(List.of(), index.unnumbered());
        }
        MbxIndex fresh = new MbxIndex();
        Path other = file(12, List.of(2L, 0L, 0L), 0);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(other)) {
            fresh.parse(ch, Files.size(other), other.toString());
            // the fields listed are where the zeros are, and numbering one message drops its field alone
            for (long at : fresh.unnumbered()) {
                byte[] b = new byte[8];
                ch.read(java.nio.ByteBuffer.wrap(b), at);
                assertEquals(MbxMessageHeader.uidField(0), new String(b, StandardCharsets.US_ASCII));
            }
            assertEquals(2, fresh.unnumbered().size());
            fresh.numbered(2);
            assertEquals(List.of(MbxMessageHeader.uidFieldAt(fresh.textOffset(3))), fresh.unnumbered());
        }
    }

    /** An expunged message (0x8000, left by a shared expunge) without a UID is numbered too, as c-client's loop does. */
    @Test
    void expungedMessagesWithoutUidsAreNumberedToo() throws Exception {
        Path box = file(7, List.of(1L, 0L, 0L), 2);
        new MbxDriver().append(MailboxRef.of("mbx", box), List.of(NewMessage.of(msg("new"), DATE)), false, options);
        assertEquals(List.of(1L, 2L, 3L, 4L), uidsOnDisk(box));
        try (Mailbox m = Drivers.open(MailboxRef.of("mbx", box), false, options)) {
            assertEquals(List.of(1L, 3L, 4L), uids(m));
        }
    }

    /**
     * UIDs out of order (c-client rebuilds them all under a new UIDVALIDITY at its next read-write open): the
     * delivery numbers nothing, so that the rebuild still sees every message without a UID as before.
     */
    @Test
    void noUidsGivenWhenTheFileNeedsItsUidsRebuilt() throws Exception {
        Path box = file(9, List.of(4L, 2L, 0L), 0);
        new MbxDriver().append(MailboxRef.of("mbx", box), List.of(NewMessage.of(msg("new"), DATE)), false, options);
        assertEquals(List.of(4L, 2L, 0L, 0L), uidsOnDisk(box));
    }

    /** An mbx file of UIDVALIDITY {@code validity}, last UID the largest given, one message per UID; the
     * {@code expunged}-th message (1-based; 0 none) marked expunged. */
    private Path file(long validity, List<Long> uids, int expunged) throws Exception {
        long last = uids.stream().mapToLong(Long::longValue).max().orElse(0);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new MbxFileHeader(validity, last, List.of(), 0).format());
        for (int i = 0; i < uids.size(); i++) {
            byte[] text = msg("m" + i);
            int system = i + 1 == expunged ? MbxMessageHeader.EXPUNGED : 0;
            b.write(new MbxMessageHeader(DATE, text.length, 0, system, uids.get(i)).format());
            b.write(text);
        }
        Path box = dir.resolve("box" + validity);
        Files.write(box, b.toByteArray());
        return box;
    }

    private static byte[] msg(String s) {
        return ("Subject: " + s + "\r\n\r\nbody of " + s + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Each message's UID field as the file holds it, expunged ones included. */
    private static List<Long> uidsOnDisk(Path box) throws Exception {
        byte[] f = Files.readAllBytes(box);
        List<Long> out = new ArrayList<>();
        int at = MbxFileHeader.SIZE;
        while (at < f.length) {
            int cr = at;
            while (f[cr] != '\r') {
                cr++;
            }
            MbxMessageHeader h = MbxMessageHeader.parse(f, at, cr);
            out.add(h.uid());
            at = cr + 2 + (int) h.size();
        }
        return out;
    }

    private static List<Long> uids(Mailbox m) throws Exception {
        List<Long> out = new ArrayList<>();
        for (int n = 1; n <= m.index().count(); n++) {
            out.add(m.index().uid(n));
        }
        return out;
    }
}
