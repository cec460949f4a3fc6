package org.spoollock.store.maildir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.spoollock.store.BadMailboxException;

class MaildirUidListTest {
    static final Path P = Path.of("/m/dovecot-uidlist");

    @Test
    void readsAndWritesDovecotsFileKeepingWhatItDoesNotUse() throws Exception {
        String text = "3 V1796318721 N3 G9b6f482101a6116bb230000083ecc375\n"
                + "1 Gd41d8cd98f00b204e9800998ecf8427e :1796318721.M557578P12466.vm,S=19,W=22\n"
                + "2 :1796318721.M557579P12466.vm,S=19,W=21\n";
        MaildirUidList l = MaildirUidList.parse(P, text);
        assertEquals(1796318721L, l.uidValidity());
        assertEquals(3, l.nextUid());
        assertEquals(2, l.records().size());
        assertEquals("1796318721.M557579P12466.vm,S=19,W=21", l.records().get(1).base());
        assertEquals(text, new String(l.text(), StandardCharsets.UTF_8));
    }

    @Test
    void recordsAppendedBelowAnOldHeaderRaiseTheNextUid() throws Exception {
        // dovecot-lda's delivery into a new Maildir, as written on this machine (Dovecot 2.3.19.1)
        MaildirUidList l = MaildirUidList.parse(P, "3 V1796319635 N1 G25db1b1b93a9116b8176000083ecc375\n"
                + "1 :1796319635.M454317P30337.vm,S=30,W=34\n");
        assertEquals(2, l.nextUid());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1 42 3\\n|line 1: version \"1\"",
        "3 V1\\n|line 1: the header has no valid",
        "3 V1 N5\\n2 :a\\n2 :b\\n|line 3: UID 2 is not above",
        "3 V1 N5\\nx :a\\n|line 2: UID \"x\" is not a number",
        "3 V1 N5\\n1 a\\n|line 2: not \"<uid> [extensions] :<file name>\"",
        "3 V1 N5\\n1 :a|cut short",
        "3 V1 N5\\n1 :a\\n3 :b\\n4 :a:2,S\\n|line 4: file a is listed twice, as UID 1 and UID 4",
    })
    void aBadUidlistIsRefusedNamingTheFileAndLine(String text, String why) {
        BadMailboxException e = assertThrows(BadMailboxException.class,
                () -> MaildirUidList.parse(P, text.replace("\\n", "\n")));
        assertTrue(e.getMessage().startsWith(P.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void filesGetUidsInDeliveryOrderAndVanishedRecordsGo() throws Exception {
        MaildirUidList l = MaildirUidList.parse(P, "3 V7 N10\n4 :gone\n9 :kept\n");
        var files = new java.util.LinkedHashMap<String, MaildirScan.Located>();
        files.put("kept", new MaildirScan.Located("cur", MaildirName.parse("kept:2,S")));
        files.put("200.M5P1.h", new MaildirScan.Located("new", MaildirName.parse("200.M5P1.h")));
        files.put("100.M9P1.h", new MaildirScan.Located("new", MaildirName.parse("100.M9P1.h")));
        MaildirUidList a = MaildirScan.agreed(l, files, 99);
        assertEquals("3 V7 N12\n9 :kept\n10 :100.M9P1.h\n11 :200.M5P1.h\n", new String(a.text(), StandardCharsets.UTF_8));
    }
}
