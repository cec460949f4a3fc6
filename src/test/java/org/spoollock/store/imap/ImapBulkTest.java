package org.spoollock.store.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.spoollock.store.StorageException;

class ImapBulkTest {
    @Test
    void appendUidSetsAreReadInOrderAndMissingOnesAreZero() {
        assertEquals(List.of(7L, 8L, 9L, 12L), ImapBulk.appendUids("a OK [APPENDUID 1796 7:9,12] Append completed.", 4));
        assertEquals(List.of(5L), ImapBulk.appendUids("a OK [APPENDUID 1796 5] done", 1));
        assertEquals(List.of(0L, 0L), ImapBulk.appendUids("a OK Append completed.", 2));
    }

    @Test
    void bareLineFeedsBecomeCrlfAndCrlfStays() {
        assertEquals("a\r\nb\r\n\r\nc", new String(ImapBulk.crlf("a\nb\r\n\nc".getBytes(StandardCharsets.ISO_8859_1)),
                StandardCharsets.ISO_8859_1));
    }

    @Test
    void urlsNameUserHostPortAndFolderLevels() throws Exception {
        ImapLocation l = ImapLocation.parse("imaps://al%40ice@mail.example.org/Archive/2019%2F20");
        assertEquals("al@ice", l.user());
        assertEquals(993, l.port());
        assertEquals(List.of("Archive", "2019/20"), l.levels());
        assertEquals("Archive.2019/20", l.folderName('.'));
        assertThrows(StorageException.class, () -> l.folderName('/'));
        assertEquals(List.of("INBOX"), ImapLocation.parse("imap://bob@h:1430").levels());
        StorageException e = assertThrows(StorageException.class, () -> ImapLocation.parse("imap://bob:pw@h/X"));
        assertEquals(false, e.getMessage().contains(":pw@"));
        assertEquals("imap://bob@h:143/A/b%20c", ImapLocation.parse("imap://bob@h/A").child(List.of("b c")));
    }
}
